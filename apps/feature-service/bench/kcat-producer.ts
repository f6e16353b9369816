// Feeds the stream to the broker through kcat's producer (librdkafka, in its own process) rather than
// a kafkajs producer in this process: on a 2-core machine a Node producer costs about as much CPU as
// the service under test, which would then measure the harness, not the service. Producers of a
// real deployment run elsewhere too.
import { spawn } from 'node:child_process';
import { processCpuSeconds } from './bench-resources';
import { KEY_DELIMITER, MESSAGE_DELIMITER, type BenchStream } from './bench-stream';

/**
 * librdkafka's mock broker answers a fetch with ONE record batch per partition (its Fetch handler has
 * "FIXME: Multiple messageSets ?"), so consumers' batches are as large as the producer's. A real broker
 * under a backlog fills the consumer's 1 MiB per partition (maxBytesPerPartition): with ~175 B per
 * record (116 B protobuf value, key, content-type header, record framing) that is ~6000 records. So
 * the producer writes bursts of 5000 per partition (CHUNK over 4 partitions) into batches of up to
 * 1 MB, and the consumers see the batches a backlogged real broker would hand them. murmur2 is the
 * Java/kafkajs key partitioner.
 */
const KCAT_PRODUCER_SETTINGS = [
  'partitioner=murmur2_random',
  'linger.ms=100',
  'batch.num.messages=10000',
  'batch.size=1000000',
  'compression.codec=none',
];
/** Messages per write to kcat's stdin. */
export const CHUNK = 20_000;

export interface FeedOptions {
  /** Most messages written but not consumed (the mock broker keeps only 5 MiB per partition). */
  readonly maxAhead: number;
  /** Messages the measured consumer has finished so far (from this feed). */
  readonly consumed: () => number;
}

export interface FeedReport {
  readonly sent: number;
  /** Until kcat exited, i.e. every message acknowledged (acks=all). */
  readonly ms: number;
  readonly pacedMs: number;
  readonly maxAhead: number;
  /** CPU seconds kcat used, as last read before it exited. */
  readonly cpuS: number;
}

const hex = (b: Buffer) => [...b].map((x) => `\\x${x.toString(16).padStart(2, '0')}`).join('');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class KcatProducer {
  constructor(
    private readonly bootstrap: string,
    private readonly stream: BenchStream,
    /** Told of each kcat producer process and of its exit (so an aborted run can kill it). */
    private readonly processes: { killOnExit(pid: number): void; forget(pid: number): void },
  ) {}

  /** The stream's events [from, to) as stdin writes; build them before the clock starts. */
  prepare(from: number, to: number): { chunks: Buffer[]; counts: number[] } {
    const chunks: Buffer[] = [];
    const counts: number[] = [];
    for (let i = from; i < to; i += CHUNK) {
      const end = Math.min(i + CHUNK, to);
      chunks.push(Buffer.concat(this.stream.framed.slice(i, end)));
      counts.push(end - i);
    }
    return { chunks, counts };
  }

  async send(topic: string, plan: { chunks: Buffer[]; counts: number[] }, options: FeedOptions): Promise<FeedReport> {
    const started = performance.now();
    const args = [
      '-P',
      '-b',
      this.bootstrap,
      '-t',
      topic,
      '-D',
      hex(MESSAGE_DELIMITER),
      '-K',
      hex(KEY_DELIMITER),
      '-H',
      this.stream.header,
    ];
    for (const s of KCAT_PRODUCER_SETTINGS) args.push('-X', s);
    const child = spawn('kcat', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    const pid = child.pid!;
    this.processes.killOnExit(pid);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const exited = new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => {
        this.processes.forget(pid);
        resolve(code);
      });
    });
    child.stdin.on('error', () => undefined); // a dead kcat is reported through its exit code
    let cpuS = 0;
    const cpuPoll = setInterval(() => (cpuS = processCpuSeconds(pid) ?? cpuS), 50);
    let written = 0;
    let pacedMs = 0;
    let maxAhead = 0;
    for (let i = 0; i < plan.chunks.length; i++) {
      if (plan.counts[i] > options.maxAhead)
        throw new Error(`maxAhead (${options.maxAhead}) must be at least one write of ${plan.counts[i]} messages`);
      if (child.exitCode !== null) break;
      if (written + plan.counts[i] - options.consumed() > options.maxAhead) {
        const waitStart = performance.now();
        while (written + plan.counts[i] - options.consumed() > options.maxAhead && child.exitCode === null)
          await sleep(2);
        pacedMs += performance.now() - waitStart;
      }
      if (!child.stdin.write(plan.chunks[i])) await new Promise((resolve) => child.stdin.once('drain', resolve));
      written += plan.counts[i];
      maxAhead = Math.max(maxAhead, written - options.consumed());
    }
    child.stdin.end();
    const code = await exited.finally(() => clearInterval(cpuPoll));
    if (code !== 0) throw new Error(`kcat producer exited with code ${code}: ${stderr.trim()}`);
    return { sent: written, ms: performance.now() - started, pacedMs, maxAhead, cpuS };
  }
}
