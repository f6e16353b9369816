/**
 * Samples the process's resident set size every 100 ms on a worker thread, so a main thread busy in a
 * long synchronous stretch (a fold, a sort) is still sampled; `mark()` starts a phase and `peak()`
 * returns the largest sample since. RSS is process-wide, the sampler's own thread included.
 */
import { Worker } from 'node:worker_threads';

const SAMPLER = `
const { workerData } = require('node:worker_threads');
const cells = new Int32Array(workerData.buffer);
const sample = () => {
  const kb = Math.round(process.memoryUsage.rss() / 1024);
  Atomics.add(cells, 1, 1);
  for (;;) {
    const old = Atomics.load(cells, 0);
    if (kb <= old || Atomics.compareExchange(cells, 0, old, kb) === old) break;
  }
};
sample();
setInterval(sample, workerData.intervalMs);
`;

export class RssSampler {
  /** [0] peak RSS in KiB since the last mark, [1] samples since the last mark. */
  private readonly cells = new Int32Array(new SharedArrayBuffer(8));
  private readonly worker: Worker;

  constructor(readonly intervalMs = 100) {
    this.worker = new Worker(SAMPLER, { eval: true, workerData: { buffer: this.cells.buffer, intervalMs } });
    this.worker.unref();
  }

  /** Starts a phase: the peak is the current RSS, the sample count 0. */
  mark(): void {
    Atomics.store(this.cells, 0, Math.round(process.memoryUsage.rss() / 1024));
    Atomics.store(this.cells, 1, 0);
  }

  /** The largest RSS seen since the last mark (bytes), with the current RSS counted too, and the samples taken. */
  peak(): { bytes: number; samples: number } {
    const now = Math.round(process.memoryUsage.rss() / 1024);
    return { bytes: Math.max(now, Atomics.load(this.cells, 0)) * 1024, samples: Atomics.load(this.cells, 1) };
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
