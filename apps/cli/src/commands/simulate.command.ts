import { Command, InvalidArgumentError, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { positiveInt } from './option-parsers';
import { createBus } from '@pulse/bus';
import type { MessageBus } from '@pulse/bus';
import type { EngagementEvent, WireFormat } from '@pulse/contracts';
import { Topics } from '@pulse/contracts';
import type { DriftOptions, EventSink } from '@pulse/simulator';
import {
  createSimulation,
  DAY_MS,
  DRIFT_KINDS,
  JsonlSink,
  OracleCsvWriter,
  publishStream,
  PublisherSink,
} from '@pulse/simulator';

interface SimulateOptions {
  seed: string;
  learners: number;
  days: number;
  start?: number;
  out?: string;
  oracle?: string;
  rate: number;
  duplicates: number;
  late: number;
  maxLateness: number;
  invalid: number;
  kafka?: string[];
  topic?: string;
  format: WireFormat;
  idempotent: boolean;
  batchSize: number;
  progress: boolean;
  live: boolean;
  drift: DriftOptions[];
  joinSpread?: number;
  tenure?: number;
}

function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError('expected a fraction from 0 to 1.');
  return n;
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number >= 0.');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError('expected a whole number >= 0.');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 1) throw new InvalidArgumentError('expected a number >= 1.');
  return n;
}

function utcDate(value: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(value) ? Date.parse(/T/.test(value) ? value : `${value}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError('expected a date like 2024-05-01 (UTC) or an ISO time.');
  return ms;
}

/** `<kind>@<day>`, repeatable: the drift kinds with their defaults. */
function driftAt(value: string, previous: DriftOptions[]): DriftOptions[] {
  const m = /^([a-z-]+)@(\d+)$/.exec(value.trim());
  if (m === null || !Object.hasOwn(DRIFT_KINDS, m[1]))
    throw new InvalidArgumentError(
      `expected <kind>@<day>, kind one of ${Object.keys(DRIFT_KINDS).join(', ')} (e.g. difficulty@20).`,
    );
  return [...previous, { kind: m[1], day: Number(m[2]) } as DriftOptions];
}

function brokerList(value: string): string[] {
  const brokers = value
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (brokers.length === 0 || brokers.some((b) => !/^[^\s:]+:\d+$/.test(b)))
    throw new InvalidArgumentError('expected host:port[,host:port...].');
  return brokers;
}

/** Fans a batch out to every configured destination (file and Kafka may be used together). */
class TeeSink implements EventSink {
  constructor(private readonly sinks: readonly EventSink[]) {}
  async publish(events: EngagementEvent[]): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.publish(events)));
  }
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      'Generate a realistic learning-engagement event stream (learners with latent motivation, channel and hour preferences, skill, ' +
        'weekly rhythm and dropout) and write it as JSONL and/or publish it to Kafka. Deterministic for a seed.',
    )
    .option('--seed <seed>', 'random seed; the same seed and options give the same stream', '1')
    .option('--learners <n>', 'number of learners', positiveInt(1_000_000), 100)
    .option('--days <n>', 'simulated days', positiveInt(3650), 30)
    .option(
      '--start <date>',
      'start of simulated time, UTC (default: --days days before today, so the stream ends now)',
      utcDate,
    )
    .option(
      '--out <file>',
      "write events as JSON lines to <file>, or '-' for stdout (default '-' unless --kafka is given)",
    )
    .option(
      '--join-spread <days>',
      'learners join spread over this many days from the start (default min(14, 30 % of --days)); --days for joining throughout',
      nonNegativeInt,
    )
    .option(
      '--tenure <days>',
      'mean days a learner stays before leaving (exponential); with --join-spread = --days the population reaches a steady state (default: they stay)',
      positiveNumber,
    )
    .option('--oracle <file.csv>', "write each lesson_sent's true probability of completion within 48 h to a CSV file")
    .option(
      '--live',
      'after the simulated days, go on in real time: each event is published when the wall clock reaches it (until Ctrl-C)',
      false,
    )
    .option(
      '--rate <events/s>',
      'wall-clock publishing rate; 0 = as fast as possible (event time advances as the data says)',
      nonNegative,
      0,
    )
    .option('--duplicates <fraction>', 'fraction of events sent twice with the same event_id', fraction, 0)
    .option('--late <fraction>', 'fraction of events delivered late, out of event-time order', fraction, 0)
    .option(
      '--max-lateness <seconds>',
      'how late (in event time) a late or duplicate event can arrive',
      nonNegative,
      3600,
    )
    .option('--invalid <fraction>', 'fraction of extra, deliberately invalid events (for DLQ testing)', fraction, 0)
    .option(
      '--drift <kind@day>',
      `change the world from a simulated day on (repeatable; defaults as in the simulator's README): ${Object.keys(DRIFT_KINDS).join(', ')}`,
      driftAt,
      [],
    )
    .option('--kafka <brokers>', 'publish to Kafka (comma-separated host:port list)', brokerList)
    .option('--topic <topic>', `Kafka topic (with --kafka; default ${Topics.engagementEvents})`)
    .addOption(
      new Option('--format <format>', 'Kafka record encoding').choices(['protobuf', 'json']).default('protobuf'),
    )
    .option('--no-idempotent', 'disable the idempotent Kafka producer (needed for the librdkafka mock cluster)')
    .option('--batch-size <n>', 'events per publish call', positiveInt(100_000), 500)
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  pulse simulate --learners 200 --days 14 --seed 7 --out events.jsonl --oracle oracle.csv\n' +
        '  pulse simulate --kafka localhost:9092 --rate 5000 --duplicates 0.01 --late 0.05 --invalid 0.001\n' +
        '  pulse simulate --kafka localhost:9092 --rate 2000 --days 30 --live\n' +
        '  pulse simulate --learners 500 --days 60 --drift channel-preference@40 --out drifted.jsonl',
    )
    .action(async (options: SimulateOptions, command: Command) => {
      if (options.topic !== undefined && options.kafka === undefined)
        command.error("error: option '--topic <topic>' needs --kafka <brokers>");
      if (
        options.format === 'json' &&
        options.kafka === undefined &&
        command.getOptionValueSource('format') === 'cli'
      ) {
        command.error("error: option '--format <format>' applies to --kafka only (--out always writes JSON lines)");
      }
      if (options.live && options.start !== undefined)
        command.error("error: option '--live' continues from the present; it takes no --start");
      await runSimulate(options);
    });
}

async function runSimulate(options: SimulateOptions): Promise<void> {
  const outPath = options.out ?? (options.kafka === undefined ? '-' : undefined);
  const oracle = options.oracle === undefined ? undefined : OracleCsvWriter.toFile(options.oracle);
  const simulation = createSimulation({
    seed: options.seed,
    learners: options.learners,
    days: options.days,
    live: options.live,
    startTimeMs: options.start,
    duplicateFraction: options.duplicates,
    lateFraction: options.late,
    maxLatenessMs: options.maxLateness * 1000,
    invalidFraction: options.invalid,
    drift: options.drift,
    ...(options.joinSpread === undefined ? {} : { joinSpreadDays: options.joinSpread }),
    ...(options.tenure === undefined ? {} : { tenureDays: options.tenure }),
    onOracle: oracle?.record,
  });
  const sinks: EventSink[] = [];
  const jsonl =
    outPath === undefined ? undefined : outPath === '-' ? new JsonlSink(process.stdout) : JsonlSink.toFile(outPath);
  if (jsonl) sinks.push(jsonl);
  let bus: MessageBus | undefined;
  if (options.kafka !== undefined) {
    bus = createBus({ brokers: options.kafka, kafka: { idempotent: options.idempotent, clientId: 'pulse-simulate' } });
    sinks.push(new PublisherSink(bus.createPublisher(), options.topic ?? Topics.engagementEvents, options.format));
  }

  const { startTimeMs } = simulation.options;
  let bar =
    options.progress && process.stderr.isTTY
      ? new SingleBar({
          stream: process.stderr,
          format: 'simulate |{bar}| day {value}/{total} | {events} events | {rate} events/s',
          hideCursor: true,
        })
      : undefined;
  bar?.start(options.days, 0, { events: 0, rate: 0 });
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await publishStream(simulation, new TeeSink(sinks), {
      ratePerSecond: options.rate,
      batchSize: options.batchSize,
      followWallClock: options.live,
      dueTimeMs: (event) => simulation.dueTimeMs(event),
      onCaughtUp: (p) => {
        bar?.stop();
        // From here on an event comes now and then: a day counter would only stand still.
        bar = undefined;
        process.stderr.write(`simulate: reached the present after ${p.published} events; live until Ctrl-C\n`);
      },
      signal: controller.signal,
      onProgress: (p) =>
        bar?.update(Math.min(options.days, Math.floor((p.eventTimeMs - startTimeMs) / DAY_MS)), {
          events: p.published,
          rate: Math.round(p.published / Math.max(0.001, p.elapsedMs / 1000)),
        }),
    });
    bar?.update(controller.signal.aborted ? Math.floor((result.eventTimeMs - startTimeMs) / DAY_MS) : options.days, {
      events: result.published,
    });
    bar?.stop();
    const s = simulation.stats;
    const types = Object.entries(s.byType)
      .map(([type, n]) => `${type} ${n}`)
      .join(', ');
    process.stderr.write(
      `simulate: ${result.published} events in ${(result.elapsedMs / 1000).toFixed(1)} s` +
        ` (${new Date(startTimeMs).toISOString().slice(0, 10)} + ${options.days} days, ${options.learners} learners, seed ${options.seed})` +
        `${controller.signal.aborted ? ' [interrupted]' : ''}\n  ${types}\n  duplicates ${s.duplicates}, late ${s.late}, invalid ${s.invalid}` +
        `${oracle ? `, oracle rows ${oracle.count} -> ${options.oracle}` : ''}\n`,
    );
  } finally {
    bar?.stop();
    process.off('SIGINT', onSigint);
    await jsonl?.close();
    await oracle?.close();
    await bus?.close();
  }
}
