// `npm run bench:ingest`: feature-service ingest throughput and read latency on real components — a
// Kafka-protocol broker (librdkafka's mock cluster in kcat, started here), the machine's Postgres (a
// throwaway database) and Redis (a throwaway key prefix). The input is a simulated learning-engagement
// stream, protobuf-encoded and keyed by learner, generated before anything is timed and produced by
// kcat in its own process (kcat-producer.ts says why), never more than 80k messages ahead of the
// consumer: the mock broker keeps 5 MiB per partition, and 20k of these ~180-byte records per
// partition stay well inside it (the run checks that the log got every event, so a loss would show).
// Less ahead starves the consumer rather than measuring it: with 40k, the service had at most 40k
// events between produced and durable, and both it and the raw consumer ran at the pace of that
// window (raw "fed" 82–92k events/s against 200–230k with 80k ahead).
//   1. raw reference: a plain kafkajs consumer (eachBatch, no-op handler, commits) draining the same
//      messages: preloaded rounds, and fed by the producer exactly as the end-to-end run is; then two
//      floors (floor-consume.ts): the least a consumer meeting the issue's contract must do, with a
//      row per event and with one row per batch;
//   2. end to end: the service consuming the stream into the Postgres event log and the Redis online
//      state, offsets committed after both; events/s from the first event sent to the last one durable
//      (the service's consumed counter, incremented after both writes), its ratio to the raw rate, and
//      checks that the log and every learner's online state hold everything;
//   3. reads: GET /v1/features/{id} and POST /v1/features/batch (1000 ids) from a client in its own
//      process (read-client.ts): client round trip, server-side time (measured in the service's
//      process) and the FeatureReader call alone.
// Options (environment): PULSE_BENCH_LEARNERS (4000), PULSE_BENCH_DAYS (60), PULSE_BENCH_EVENTS
// (600000), PULSE_BENCH_MAX_AHEAD (80000), PULSE_BENCH_SINGLE_READS (5000), PULSE_BENCH_BATCH_READS
// (200), PULSE_BENCH_INSTANCES (1: copies of the service in one consumer group, the extra ones in
// child processes, see extra-instances.ts); MAX_BATCH_SIZE, PARTITIONS_CONCURRENTLY,
// MAX_PENDING_BATCHES, MIN_BATCH_SIZE and MAX_BATCH_WAIT_MS are passed on to the service. `-- --floors-only` stops after the raw rates and the floors. `npm run bench:ingest -- --profile` also writes CPU
// profiles of the service's thread (end to end; HTTP batch reads) to the temp dir and prints where the
// time went; `-- --alloc-profile` samples what the service's thread allocates end to end (what the
// garbage collector has to clear) and prints it by allocating function.
import 'reflect-metadata';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Registry } from 'prom-client';
import { KafkaBus } from '@pulse/bus';
import {
  busServerOf,
  createFeatureServiceApp,
  INFRASTRUCTURE,
  loadFeatureServiceConfig,
  ONLINE_STORE,
  type Infrastructure,
} from '@pulse/feature-service';
import { EPOCH_MS, FeatureReader, type OnlineStore } from '@pulse/features';
import { loadConfig } from '@pulse/nest-common';
import {
  createTestDatabase,
  randomName,
  randomRedisPrefix,
  startKafkaMockCluster,
  testRedisUrl,
  waitFor,
} from '@pulse/testing';
import {
  Cleanup,
  deleteRedisKeys,
  envInt,
  machineCpuTicks,
  mainThreadCpuSeconds,
  processCpuSeconds,
  stealShare,
  terminate,
  withoutNewSignalListeners,
} from './bench-resources';
import { PhaseProfiler, printProfile, type ProfileSummary } from './cpu-profile';
import { AllocationProfiler, type AllocationSummary } from './alloc-profile';
import { GcWatch, pick, ServerTimer, summarize, type GcPauses, type LatencySummary } from './latency';
import { ReadClient, type PhaseResult } from './read-client';
import { generateStream, type BenchStream } from './bench-stream';
import { KcatProducer, type FeedReport } from './kcat-producer';
import { rawPreloaded, rawStreaming, type PreloadedResult, type RawRate } from './raw-consume';
import { floorStreaming, type FloorResult } from './floor-consume';
import { counterTotal, diffTimings, histogramTotals, type OpTiming } from './service-metrics';
import {
  consumedBy,
  cpuSecondsOfInstances,
  startExtraInstances,
  stopExtraInstances,
  type ExtraInstance,
} from './extra-instances';

const settings = {
  learners: envInt('PULSE_BENCH_LEARNERS', 4000),
  days: envInt('PULSE_BENCH_DAYS', 60),
  events: envInt('PULSE_BENCH_EVENTS', 600_000),
  maxAhead: envInt('PULSE_BENCH_MAX_AHEAD', 80_000),
  singleReads: envInt('PULSE_BENCH_SINGLE_READS', 5000),
  batchReads: envInt('PULSE_BENCH_BATCH_READS', 200),
  batchEntities: 1000,
  preloadRound: 60_000,
  preloadRounds: 5,
  profile: process.argv.includes('--profile'),
  allocations: process.argv.includes('--alloc-profile'),
  instances: envInt('PULSE_BENCH_INSTANCES', 1),
  floorsOnly: process.argv.includes('--floors-only'),
};

/** The service's batching settings a run may set in its environment (passed on to the service). */
const SERVICE_KNOBS = [
  'MAX_BATCH_SIZE',
  'PARTITIONS_CONCURRENTLY',
  'MAX_PENDING_BATCHES',
  'MIN_BATCH_SIZE',
  'MAX_BATCH_WAIT_MS',
];

const TARGETS = { eventsPerSecond: 25_000, ratioToRaw: 0.5, singleP99Ms: 1, batchP99Ms: 10 };

interface EndToEnd {
  events: number;
  ms: number;
  perSecond: number;
  firstDurableMs: number;
  producer: FeedReport;
  mainThreadElu: number;
  mainThreadCpuS: number;
  processCpuS: number;
  postgresCpuS: number;
  redisCpuS: number;
  kcatCpuS: number;
  /** CPU of the service copies in child processes (PULSE_BENCH_INSTANCES > 1). */
  extrasCpuS: number;
  /** Events this process's copy handled (all of them without other copies). */
  localEvents: number;
  timings: OpTiming[];
  loadBefore: number[];
  loadAfter: number[];
  profile?: ProfileSummary;
  allocations?: AllocationSummary;
}

interface Checks {
  logCount: number;
  watermarkMismatches: number;
  missingStates: number;
  rejected: number;
  duplicates: number;
}

interface Reads {
  single: {
    client: LatencySummary;
    server: LatencySummary;
    service: LatencySummary;
    offline: number;
    errors: number;
    meanBytes: number;
    gc: GcPauses;
  };
  batch: {
    client: LatencySummary;
    server: LatencySummary;
    service: LatencySummary;
    cold: LatencySummary;
    replayed: LatencySummary;
    offline: number;
    errors: number;
    meanBytes: number;
    gc: GcPauses;
  };
  /** CPU profiles of the HTTP single and batch reads (with --profile). */
  singleProfile?: ProfileSummary;
  batchProfile?: ProfileSummary;
  /** Allocation profiles of the same phases (with --alloc-profile). */
  singleAllocations?: AllocationSummary;
  batchAllocations?: AllocationSummary;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const load = () => os.loadavg().map((l) => Number(l.toFixed(2)));

function log(message: string): void {
  console.log(`[bench:ingest ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function startService(
  brokers: string,
  databaseUrl: string,
  redisUrl: string,
  redisPrefix: string,
  registry: Registry,
) {
  const topic = randomName('bench-engagement');
  const env: Record<string, string> = {
    KAFKA_BROKERS: brokers,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: redisPrefix,
    ENGAGEMENT_TOPIC: topic,
    DLQ_TOPIC: `${topic}-dlq`,
    CONSUMER_GROUP: randomName('bench-feature-service'),
    KAFKA_IDEMPOTENT: 'false',
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    KAFKA_HEARTBEAT_INTERVAL_MS: '500',
    KAFKA_MAX_WAIT_MS: '200',
    SIMULATOR: 'false',
    PORT: '0',
    ...Object.fromEntries(SERVICE_KNOBS.filter((name) => process.env[name]).map((name) => [name, process.env[name]!])),
  };
  const config = loadConfig({ load: loadFeatureServiceConfig, env });
  // The service's own logs at warn and above: its progress lines would interleave with the figures.
  process.env.LOG_LEVEL ??= 'warn';
  const app = await withoutNewSignalListeners(async () => {
    const created = await createFeatureServiceApp(config, { registry });
    await created.listen(0, '127.0.0.1');
    return created;
  });
  const port = (app.getHttpServer().address() as { port: number }).port;
  // The consumer joins its group in the background; the clock must not start before it has partitions.
  await waitFor(() => (busServerOf(app)?.current?.assignment()[topic]?.length ?? 0) > 0, {
    timeoutMs: 30_000,
    message: 'service consumer joined',
  });
  const partitionsHere = () => busServerOf(app)?.current?.assignment()[topic]?.length ?? 0;
  return { app, port, topic, config, env, partitionsHere };
}

async function endToEnd(
  app: INestApplication,
  topic: string,
  registry: Registry,
  producer: KcatProducer,
  stream: BenchStream,
  databaseName: string,
  extras: readonly ExtraInstance[],
): Promise<EndToEnd> {
  const infra = app.get<Infrastructure>(INFRASTRUCTURE);
  const ds = infra.dataSource;
  // The pool opens backends as the load needs them: those that appear during the run count whole.
  const pgPidsNow = async () =>
    ((await ds.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [databaseName])) as { pid: number }[]).map(
      (r) => r.pid,
    );
  const pgStart = new Map((await pgPidsNow()).map((pid) => [pid, processCpuSeconds(pid) ?? 0]));
  const redisPid = infra.redis ? Number(/process_id:(\d+)/.exec(await infra.redis.info('server'))?.[1]) : NaN;
  const timingNames = [
    'pulse_batch_duration_seconds',
    'pulse_postgres_op_duration_seconds',
    'pulse_redis_op_duration_seconds',
  ];
  const timings = async () => (await Promise.all(timingNames.map((n) => histogramTotals(registry, n)))).flat();

  const n = stream.framed.length;
  const plan = producer.prepare(0, n);
  const consumedBefore = await counterTotal(registry, 'pulse_events_consumed_total');
  const timingsBefore = await timings();
  const profiler = settings.profile ? new PhaseProfiler() : undefined;
  await profiler?.start();
  const allocations = settings.allocations ? new AllocationProfiler() : undefined;
  await allocations?.start();
  const loadBefore = load();
  const eluBefore = performance.eventLoopUtilization();
  const cpuBefore = process.cpuUsage();
  const mainCpuBefore = mainThreadCpuSeconds() ?? NaN;
  const redisBefore = processCpuSeconds(redisPid) ?? 0;
  const kcatBefore = processCpuSeconds(kcatPid) ?? 0;
  const extrasBefore = cpuSecondsOfInstances(extras);

  let consumed = 0;
  // The other copies' progress, from their /metrics every 100 ms (this copy's is read directly).
  let elsewhere = 0;
  let lastScrape = 0;
  const started = performance.now();
  const produced = producer.send(topic, plan, { maxAhead: settings.maxAhead, consumed: () => consumed });
  let firstDurableMs = NaN;
  let lastLog = started;
  // Counted only when a batch's log rows and online states are written (the service increments it then).
  while (consumed < n) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (extras.length > 0 && performance.now() - lastScrape >= 100) {
      elsewhere = (await Promise.all(extras.map((x) => consumedBy(x)))).reduce((a, b) => a + b, 0);
      lastScrape = performance.now();
    }
    consumed = (await counterTotal(registry, 'pulse_events_consumed_total')) - consumedBefore + elsewhere;
    const now = performance.now();
    if (consumed > 0 && Number.isNaN(firstDurableMs)) firstDurableMs = now - started;
    if (now - lastLog > 5000) {
      log(`  ${fmt(consumed)} / ${fmt(n)} events durable (${fmt((consumed * 1000) / (now - started))}/s so far)`);
      lastLog = now;
    }
    if (now - started > 15 * 60_000)
      throw new Error(`end-to-end run did not finish within 15 minutes (${consumed} of ${n} events)`);
  }
  const elapsed = performance.now() - started;
  const pgEnd = await pgPidsNow();
  const elu = performance.eventLoopUtilization(eluBefore);
  const cpu = process.cpuUsage(cpuBefore);
  const result: EndToEnd = {
    events: n,
    ms: elapsed,
    perSecond: (n * 1000) / elapsed,
    firstDurableMs,
    producer: { sent: 0, ms: 0, pacedMs: 0, maxAhead: 0, cpuS: 0 },
    mainThreadElu: elu.utilization,
    mainThreadCpuS: (mainThreadCpuSeconds() ?? NaN) - mainCpuBefore,
    processCpuS: (cpu.user + cpu.system) / 1e6,
    postgresCpuS: [...new Set([...pgStart.keys(), ...pgEnd])].reduce(
      (a, pid) => a + (processCpuSeconds(pid) ?? pgStart.get(pid) ?? 0) - (pgStart.get(pid) ?? 0),
      0,
    ),
    redisCpuS: (processCpuSeconds(redisPid) ?? 0) - redisBefore,
    kcatCpuS: (processCpuSeconds(kcatPid) ?? 0) - kcatBefore,
    extrasCpuS: cpuSecondsOfInstances(extras) - extrasBefore,
    localEvents: (await counterTotal(registry, 'pulse_events_consumed_total')) - consumedBefore,
    timings: diffTimings(timingsBefore, await timings()),
    loadBefore,
    loadAfter: load(),
  };
  if (profiler)
    result.profile = await profiler.stop(path.join(os.tmpdir(), `pulse-ingest-e2e-${Date.now()}.cpuprofile`));
  if (allocations)
    result.allocations = await allocations.stop(path.join(os.tmpdir(), `pulse-ingest-e2e-${Date.now()}.heapprofile`));
  result.producer = await produced;
  return result;
}

/** Everything sent is in the log and in the online state (each entity's watermark = its newest event). */
async function verify(app: INestApplication, registry: Registry, stream: BenchStream): Promise<Checks> {
  const events = stream.framed.length;
  const watermarks = [...stream.watermarks];
  const infra = app.get<Infrastructure>(INFRASTRUCTURE);
  const store = app.get<OnlineStore>(ONLINE_STORE);
  const logCount = await waitFor(
    async () => {
      const c = await infra.eventLog.count();
      return c >= events ? c : 0;
    },
    { timeoutMs: 60_000, message: `event log holds ${events} events` },
  );
  let watermarkMismatches = 0;
  let missingStates = 0;
  for (let i = 0; i < watermarks.length; i += 1000) {
    const chunk = watermarks.slice(i, i + 1000);
    const states = await store.getStates(chunk.map(([id]) => id));
    for (const [id, w] of chunk) {
      const s = states.get(id);
      if (!s) missingStates++;
      else if (s.state.w !== w) watermarkMismatches++;
    }
  }
  return {
    logCount,
    watermarkMismatches,
    missingStates,
    rejected: await counterTotal(registry, 'pulse_events_rejected_total'),
    duplicates: await counterTotal(registry, 'pulse_events_duplicate_total'),
  };
}

/** One measured read phase: the client's requests, the server-side times, GC pauses and (if asked) profiles. */
async function readPhase(
  client: ReadClient,
  timer: ServerTimer,
  kind: 'single' | 'batch',
  requests: number,
  batchSize: number,
) {
  const name = path.join(os.tmpdir(), `pulse-ingest-${kind}-reads-${Date.now()}`);
  const profiler = settings.profile ? new PhaseProfiler() : undefined;
  await profiler?.start();
  const allocations = settings.allocations ? new AllocationProfiler() : undefined;
  await allocations?.start();
  const gcWatch = new GcWatch();
  const run = await client.run({ kind, requests, warmup: 0, batchSize });
  const server = timer.take();
  const gc = gcWatch.stop();
  return {
    run,
    server,
    gc,
    profile: await profiler?.stop(`${name}.cpuprofile`),
    allocations: await allocations?.stop(`${name}.heapprofile`),
  };
}

function summarizePhase(run: PhaseResult) {
  return {
    client: summarize(run.client),
    offline: run.offline,
    errors: run.errors,
    meanBytes: run.bytes / run.client.length,
  };
}

// The HTTP client runs in its own process (read-client.ts says why); the server-side times are taken
// here, in the service's process, around the requests of each phase.
async function reads(
  app: INestApplication,
  port: number,
  entities: readonly string[],
  earliestWatermarkMs: number,
  cleanup: Cleanup,
): Promise<Reads> {
  const service = app.get(FeatureReader);
  const timer = new ServerTimer(app.getHttpServer() as http.Server);
  const batchSize = Math.min(settings.batchEntities, entities.length);
  let clientPid = NaN;
  const client = await ReadClient.start(port, entities, (pid) => {
    clientPid = pid;
    cleanup.killOnExit(pid);
  });
  try {
    // Warm-up (JIT, connection pools, keep-alive socket); not measured.
    await client.run({ kind: 'single', requests: 0, warmup: 300, batchSize });
    await client.run({ kind: 'batch', requests: 0, warmup: 10, batchSize });
    await service.read(pick(entities, batchSize), Date.now());
    timer.take();

    const single = await readPhase(client, timer, 'single', settings.singleReads, batchSize);
    const batch = await readPhase(client, timer, 'batch', settings.batchReads, batchSize);

    const time = async (ids: string[]) => {
      const t = process.hrtime.bigint();
      await service.read(ids, Date.now());
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const singleService: number[] = [];
    for (let i = 0; i < settings.singleReads; i++)
      singleService.push(await time([entities[Math.floor(Math.random() * entities.length)]]));
    // The batch endpoint's own call (positional columns; the keyed form is the single answer's).
    const batchService: number[] = [];
    for (let i = 0; i < settings.batchReads; i++) {
      const ids = pick(entities, batchSize);
      const t = process.hrtime.bigint();
      await service.readColumns(ids, Date.now());
      batchService.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    // The worst case for the evaluation cache, last (it leaves the cache holding other epochs): each
    // batch as of a time in a 5-minute epoch nothing was evaluated for, as the first batches after an
    // epoch boundary, or of entities just written, meet it.
    const coldService: number[] = [];
    const epochMs = EPOCH_MS;
    const firstEpoch = (Math.floor(Date.now() / epochMs) + 1) * epochMs;
    for (let i = 0; i < Math.min(50, settings.batchReads); i++) {
      const ids = pick(entities, batchSize);
      const t = process.hrtime.bigint();
      await service.readColumns(ids, firstEpoch + i * epochMs + 1);
      coldService.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    // As of a day before every learner's newest event: the whole batch answered by replaying the log.
    const replayed: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = process.hrtime.bigint();
      const r = await service.readColumns(pick(entities, batchSize), earliestWatermarkMs - 86_400_000 - i * 3_600_000);
      replayed.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.online.includes(1)) throw new Error('an earlier as-of time was answered online');
    }

    return {
      single: {
        ...summarizePhase(single.run),
        server: summarize(single.server),
        service: summarize(singleService),
        gc: single.gc,
      },
      batch: {
        ...summarizePhase(batch.run),
        server: summarize(batch.server),
        service: summarize(batchService),
        cold: summarize(coldService),
        replayed: summarize(replayed),
        gc: batch.gc,
      },
      ...(single.profile ? { singleProfile: single.profile } : {}),
      ...(batch.profile ? { batchProfile: batch.profile } : {}),
      ...(single.allocations ? { singleAllocations: single.allocations } : {}),
      ...(batch.allocations ? { batchAllocations: batch.allocations } : {}),
    };
  } finally {
    timer.detach();
    await client.stop();
    cleanup.forget(clientPid);
  }
}

type FedRate = RawRate & { feed: FeedReport; averageBatch: number };

const FLOOR_LABEL: Record<FloorResult['log'], string> = {
  'event-rows': 'floor: decode, (id, entity, time) row/event, Redis/entity',
  'batch-segments': 'floor: decode, one bytea row/batch, Redis/entity',
};

function floorLine(floor: FloorResult, pre: PreloadedResult, streaming: FedRate): string {
  return (
    `  ${FLOOR_LABEL[floor.log].padEnd(58)} ${`${fmt(floor.perSecond)} ev/s`.padStart(16)}  ` +
    `ratio to raw fed ${(floor.perSecond / streaming.perSecond).toFixed(3)}, to preloaded ${(floor.perSecond / pre.overall.perSecond).toFixed(3)}; ` +
    `${fmt(floor.rows)} rows; CPU: its process ${fmt(floor.processCpuS, 1)} s, Postgres ${fmt(floor.postgresCpuS, 1)} s, Redis ${fmt(floor.redisCpuS, 1)} s over ${fmt(floor.ms / 1000, 1)} s`
  );
}

/** `--floors-only`: the raw rates and the floors, without the service (what bounds any implementation). */
function reportFloors(
  events: number,
  pre: PreloadedResult,
  perMessage: PreloadedResult,
  streaming: FedRate,
  floors: readonly FloorResult[],
): void {
  const pct = (x: number) => (Number.isNaN(x) ? '?' : `${(x * 100).toFixed(0)} %`);
  console.log('\n================ raw consume and floors ================');
  console.log(
    `${fmt(events)} events; steal: ${pct(steal.preloaded)} preloaded, ${pct(steal.fed)} fed, ${pct(steal.floor)} floor, ${pct(steal.segments)} segment floor`,
  );
  console.log(
    `  raw kafkajs consume, preloaded ${fmt(pre.overall.perSecond)} ev/s (rounds ${pre.rounds.map((x) => fmt(x.perSecond)).join(', ')}); fed ${fmt(streaming.perSecond)} ev/s; eachMessage preloaded ${fmt(perMessage.overall.perSecond)} ev/s`,
  );
  for (const f of floors) console.log(floorLine(f, pre, streaming));
  console.log('========================================================\n');
}

function report(
  stream: BenchStream,
  events: number,
  pre: PreloadedResult,
  perMessage: PreloadedResult,
  streaming: FedRate,
  floors: readonly FloorResult[],
  e2e: EndToEnd,
  checks: Checks,
  r: Reads,
): void {
  const ok = (pass: boolean) => (pass ? 'met' : 'NOT met');
  const ratioPre = e2e.perSecond / pre.overall.perSecond;
  const ratioStream = e2e.perSecond / streaming.perSecond;
  const cpus = os.cpus();
  const line = (label: string, value: string, extra = '') =>
    console.log(`  ${label.padEnd(58)} ${value.padStart(16)}  ${extra}`);
  console.log('\n================ feature-service ingest benchmark ================');
  console.log(
    `machine: ${cpus.length} cores (${cpus[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`,
  );
  console.log(
    `load average (1/5/15 min): before e2e ${e2e.loadBefore.join(' / ')}, after ${e2e.loadAfter.join(' / ')} — the CPUs are shared, figures vary with it`,
  );
  console.log(
    `stream: ${fmt(events)} simulated events from ${fmt(stream.watermarks.size)} learners (${settings.learners} simulated, ${settings.days} days), ` +
      `protobuf, ${(stream.valueBytes / events).toFixed(0)} B/event payload, keyed by learner; generated in ${fmt(stream.generateMs / 1000, 1)} s; produced by kcat (librdkafka) in its own process`,
  );
  const pct = (x: number) => (Number.isNaN(x) ? '?' : `${(x * 100).toFixed(0)} %`);
  console.log(
    `CPU time stolen by the hypervisor (other guests): ${pct(steal.preloaded)} during raw preloaded, ${pct(steal.fed)} raw fed, ${pct(steal.floor)} floor, ${pct(steal.segments)} segment floor, ${pct(steal.e2e)} end to end, ${pct(steal.reads)} reads — compare rates only between phases with similar steal`,
  );
  console.log('\nthroughput');
  line(
    'raw kafkajs consume, preloaded (no producer running)',
    `${fmt(pre.overall.perSecond)} ev/s`,
    `${pre.rounds.length} rounds of ${fmt(settings.preloadRound)}: ${pre.rounds.map((x) => fmt(x.perSecond)).join(', ')}; ${fmt(pre.averageBatch)} messages/batch`,
  );
  line(
    'raw kafkajs consume, fed by the producer as end to end',
    `${fmt(streaming.perSecond)} ev/s`,
    `${fmt(streaming.events)} events, ${fmt(streaming.averageBatch)} messages/batch; producer ${fmt(streaming.feed.pacedMs / 1000, 1)} s paced, kcat CPU ${fmt(streaming.feed.cpuS, 1)} s`,
  );
  line(
    'raw kafkajs eachMessage (no-op), preloaded, for information',
    `${fmt(perMessage.overall.perSecond)} ev/s`,
    `${perMessage.rounds.length} rounds: ${perMessage.rounds.map((x) => fmt(x.perSecond)).join(', ')}; end to end is ${(e2e.perSecond / perMessage.overall.perSecond).toFixed(3)} of it`,
  );
  for (const f of floors) console.log(floorLine(f, pre, streaming));
  line(
    'END TO END (Kafka -> Postgres log + Redis state, committed)',
    `${fmt(e2e.perSecond)} ev/s`,
    `${fmt(e2e.events)} events in ${fmt(e2e.ms / 1000, 1)} s; target >= ${fmt(TARGETS.eventsPerSecond)}: ${ok(e2e.perSecond >= TARGETS.eventsPerSecond)}`,
  );
  line(
    '  ratio to raw preloaded',
    ratioPre.toFixed(3),
    `target >= ${TARGETS.ratioToRaw}: ${ok(ratioPre >= TARGETS.ratioToRaw)}`,
  );
  line(
    '  ratio to raw fed by the producer',
    ratioStream.toFixed(3),
    `target >= ${TARGETS.ratioToRaw}: ${ok(ratioStream >= TARGETS.ratioToRaw)}`,
  );
  line('  first events durable after', `${fmt(e2e.firstDurableMs)} ms`);
  line(
    '  producer: time to send all / paced waiting / max ahead',
    `${fmt(e2e.producer.ms / 1000, 1)} s`,
    `${fmt(e2e.producer.pacedMs / 1000, 1)} s waiting for the service, max ${fmt(e2e.producer.maxAhead)} ahead`,
  );
  line(
    '  average batch handled by the service',
    `${fmt(e2e.localEvents / Math.max(1, e2e.timings.find((t) => t.metric === 'pulse_batch_duration_seconds')?.count ?? 0))} events`,
  );
  console.log('\nwhere the end-to-end time went');
  if (settings.instances > 1) {
    line(
      `service copies: ${settings.instances} (this process + ${settings.instances - 1} child)`,
      `${fmt(e2e.extrasCpuS, 1)} s`,
      "CPU of the child copies; the thread figures below are this process's copy only",
    );
  }
  line(
    'service thread: event-loop utilisation',
    `${(e2e.mainThreadElu * 100).toFixed(0)} %`,
    'the rest is waiting for Postgres/Redis/Kafka replies',
  );
  line(
    'service thread: CPU',
    `${fmt(e2e.mainThreadCpuS, 1)} s`,
    `${fmt((e2e.mainThreadCpuS * 1e6) / e2e.localEvents, 1)} µs/event -> one core would take ${fmt(e2e.localEvents / e2e.mainThreadCpuS)} ev/s`,
  );
  line('CPU: whole service process (with GC and I/O threads)', `${fmt(e2e.processCpuS, 1)} s`);
  line(
    'CPU: Postgres backends / Redis server / kcat broker / kcat producer',
    `${fmt(e2e.postgresCpuS, 1)} / ${fmt(e2e.redisCpuS, 1)} / ${fmt(e2e.kcatCpuS, 1)} / ${fmt(e2e.producer.cpuS, 1)} s`,
  );
  for (const t of e2e.timings.filter((x) => x.count > 0)) {
    const name = `${t.metric.replace(/^pulse_|_duration_seconds$|_seconds$/g, '')}${t.op ? ` ${t.op}` : ''}`;
    line(
      `  ${name} (wall time, ${fmt(t.count)} calls)`,
      `${fmt(t.seconds, 2)} s`,
      `${fmt((t.seconds * 1000) / t.count, 2)} ms/call, ${(((t.seconds * 1000) / e2e.ms) * 100).toFixed(0)} % of the run`,
    );
  }
  console.log('\nchecks');
  line(
    'event log rows / events sent',
    `${fmt(checks.logCount)} / ${fmt(events)}`,
    checks.logCount === events ? 'ok' : 'MISMATCH',
  );
  line(
    'online states missing / watermark wrong',
    `${checks.missingStates} / ${checks.watermarkMismatches}`,
    checks.missingStates + checks.watermarkMismatches === 0 ? 'ok' : 'MISMATCH',
  );
  line('dead-lettered / duplicates', `${checks.rejected} / ${checks.duplicates}`);
  console.log('\nfeature reads (sequential, one keep-alive connection, loopback, client in its own process; ms)');
  console.log(`  ${''.padEnd(58)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)}`);
  const lat = (label: string, s: LatencySummary, extra = '') =>
    console.log(
      `  ${label.padEnd(58)} ${s.p50.toFixed(3).padStart(9)} ${s.p99.toFixed(3).padStart(9)} ${s.max.toFixed(3).padStart(9)}  ${extra}`,
    );
  lat(`GET /v1/features/{id}, client round trip (n=${r.single.client.n})`, r.single.client);
  lat(
    '  server side (request -> response finished)',
    r.single.server,
    `target p99 <= ${TARGETS.singleP99Ms} ms: ${ok(r.single.server.p99 <= TARGETS.singleP99Ms)}`,
  );
  lat('  FeatureReader.read alone', r.single.service);
  lat(`POST /v1/features/batch x${settings.batchEntities}, client round trip (n=${r.batch.client.n})`, r.batch.client);
  lat(
    '  server side (request -> response finished)',
    r.batch.server,
    `target p99 <= ${TARGETS.batchP99Ms} ms: ${ok(r.batch.server.p99 <= TARGETS.batchP99Ms)}`,
  );
  lat('  FeatureReader.readColumns alone (no encoding)', r.batch.service);
  lat('  the same, cold: each batch in an epoch not evaluated yet (n=50)', r.batch.cold);
  lat('  the same, a day before the newest events: replayed from the log (n=10)', r.batch.replayed);
  console.log(
    `  offline-path answers: ${r.single.offline} single, ${r.batch.offline} in batches; non-200 answers: ${r.single.errors + r.batch.errors}`,
  );
  console.log(
    `  response size: ${fmt(r.single.meanBytes)} B single, ${fmt(r.batch.meanBytes / 1024)} KiB per batch of ${settings.batchEntities}`,
  );
  const gcLine = (label: string, g: GcPauses) =>
    console.log(
      `  GC pauses in the service during ${label}: ${g.count} (${g.scavenges} scavenges), ${fmt(g.totalMs, 1)} ms in all, longest ${fmt(g.maxMs, 2)} ms`,
    );
  gcLine('the single reads', r.single.gc);
  gcLine('the batch reads', r.batch.gc);
  if (e2e.profile) printProfile('the service thread during end to end', e2e.profile);
  if (e2e.allocations) printAllocations('the service thread during end to end', e2e.allocations, e2e.events, 'event');
  if (r.singleAllocations)
    printAllocations(
      `the service thread during the ${settings.singleReads} HTTP single reads`,
      r.singleAllocations,
      settings.singleReads,
      'read',
    );
  if (r.batchAllocations)
    printAllocations(
      `the service thread during the ${settings.batchReads} HTTP batch reads`,
      r.batchAllocations,
      settings.batchReads,
      'batch',
    );
  if (r.singleProfile)
    printProfile(`the service thread during the ${settings.singleReads} HTTP single reads`, r.singleProfile);
  if (r.batchProfile)
    printProfile(`the service thread during the ${settings.batchReads} HTTP batch reads`, r.batchProfile);
  console.log('==================================================================\n');
}

function printAllocations(what: string, a: AllocationSummary, units: number, unit: string): void {
  console.log(`\nallocations on ${what} (sampled, freed objects included): ${a.file}`);
  console.log(
    `  ${fmt(a.totalBytes / 2 ** 20)} MiB sampled in all, ${fmt(a.totalBytes / units)} B per ${unit}; by allocating function:`,
  );
  for (const site of a.sites)
    console.log(
      `    ${(site.share * 100).toFixed(1).padStart(5)} %  ${fmt(site.bytes / units).padStart(8)} B/${unit}  ${site.name}`,
    );
}

let kcatPid = NaN;
/** Share of the machine's CPU time the hypervisor gave to other guests during each phase (/proc/stat steal). */
const steal = { preloaded: NaN, fed: NaN, floor: NaN, segments: NaN, e2e: NaN, reads: NaN };

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  try {
    log(`load average ${load().join(' / ')}; starting the Kafka mock cluster`);
    const kafka = await startKafkaMockCluster();
    kcatPid = kafka.pid;
    cleanup.killOnExit(kafka.pid);
    cleanup.add('kcat mock cluster', async () => {
      log(`kcat mock cluster ${await terminate(kafka.pid)}`);
      cleanup.forget(kafka.pid);
    });
    const brokers = kafka.bootstrap.split(',');

    log(`generating ${fmt(settings.events)} simulated events (${settings.learners} learners)`);
    const stream = generateStream({
      seed: 'bench-ingest',
      learners: settings.learners,
      days: settings.days,
      maxEvents: settings.events,
    });
    const events = stream.framed.length;
    if (events < settings.preloadRound * settings.preloadRounds) {
      throw new Error(
        `the stream has ${events} events, fewer than the raw rounds need (${settings.preloadRound * settings.preloadRounds}); raise PULSE_BENCH_EVENTS or PULSE_BENCH_DAYS`,
      );
    }
    if (events < settings.events)
      log(`the simulation yields only ${fmt(events)} events; raise PULSE_BENCH_DAYS for more`);
    const producer = new KcatProducer(kafka.bootstrap, stream, cleanup);

    const rawBus = new KafkaBus({
      brokers,
      clientId: 'pulse-bench-raw',
      idempotent: false,
      logLevel: 'error',
      sessionTimeoutMs: 6000,
    });
    cleanup.add('raw bus', () => rawBus.close());
    let ticks = machineCpuTicks();
    const stolen = (phase: keyof typeof steal) => {
      const now = machineCpuTicks();
      steal[phase] = stealShare(ticks, now);
      ticks = now;
    };
    log('raw kafkajs consume, preloaded rounds');
    const pre = await rawPreloaded(rawBus, producer, settings.preloadRound, settings.preloadRounds);
    stolen('preloaded');
    log(`  ${fmt(pre.overall.perSecond)} events/s`);
    log('raw kafkajs consume with eachMessage, preloaded rounds (for information)');
    const perMessage = await rawPreloaded(rawBus, producer, settings.preloadRound, 2, 'eachMessage');
    log(`  ${fmt(perMessage.overall.perSecond)} events/s`);
    log('raw kafkajs consume, fed by the producer');
    ticks = machineCpuTicks();
    const streaming = await rawStreaming(rawBus, producer, events, settings.maxAhead);
    stolen('fed');
    log(`  ${fmt(streaming.perSecond)} events/s`);
    log('floor: decode + the least idempotent log + one Redis value per entity, fed by the producer');
    const floorDb = await createTestDatabase('pulse_bench_floor');
    cleanup.add(`database ${floorDb.name}`, () => floorDb.drop());
    const floorPrefix = randomRedisPrefix('pulse-bench-floor');
    cleanup.add(`redis keys ${floorPrefix}*`, () => deleteRedisKeys(testRedisUrl(), floorPrefix));
    ticks = machineCpuTicks();
    const floor = await floorStreaming(
      rawBus,
      producer,
      events,
      settings.maxAhead,
      floorDb.url,
      testRedisUrl(),
      floorPrefix,
    );
    stolen('floor');
    log(`  ${fmt(floor.perSecond)} events/s`);
    log('floor with a batched log: decode + one bytea row per batch + one Redis value per entity, fed by the producer');
    const segmentPrefix = randomRedisPrefix('pulse-bench-floor-seg');
    cleanup.add(`redis keys ${segmentPrefix}*`, () => deleteRedisKeys(testRedisUrl(), segmentPrefix));
    ticks = machineCpuTicks();
    const segments = await floorStreaming(
      rawBus,
      producer,
      events,
      settings.maxAhead,
      floorDb.url,
      testRedisUrl(),
      segmentPrefix,
      'batch-segments',
    );
    stolen('segments');
    log(`  ${fmt(segments.perSecond)} events/s`);
    await rawBus.close();
    if (settings.floorsOnly) {
      reportFloors(events, pre, perMessage, streaming, [floor, segments]);
      return;
    }

    const db = await createTestDatabase('pulse_bench');
    cleanup.add(`database ${db.name}`, () => db.drop());
    const redisUrl = testRedisUrl();
    const redisPrefix = randomRedisPrefix('pulse-bench');
    cleanup.add(`redis keys ${redisPrefix}*`, () => deleteRedisKeys(redisUrl, redisPrefix));
    const registry = new Registry();
    log(`starting feature-service (database ${db.name}, redis prefix ${redisPrefix})`);
    const { app, port, topic, env, partitionsHere } = await startService(
      kafka.bootstrap,
      db.url,
      redisUrl,
      redisPrefix,
      registry,
    );
    cleanup.add('feature-service', () => app.close());
    let extras: ExtraInstance[] = [];
    if (settings.instances > 1) {
      log(
        `starting ${settings.instances - 1} more feature-service cop${settings.instances === 2 ? 'y' : 'ies'} in the same consumer group (own processes)`,
      );
      extras = await startExtraInstances(settings.instances - 1, env, cleanup);
      cleanup.add('extra feature-service copies', () => stopExtraInstances(extras));
      // The group has rebalanced once this copy holds only its share of the 4 partitions.
      await waitFor(() => partitionsHere() > 0 && partitionsHere() <= Math.ceil(4 / settings.instances), {
        timeoutMs: 60_000,
        message: 'consumer group rebalanced over the copies',
      });
    }

    log(`end to end: ${fmt(events)} events${settings.profile ? ' (CPU profiling on)' : ''}`);
    ticks = machineCpuTicks();
    const e2e = await endToEnd(app, topic, registry, producer, stream, db.name, extras);
    stolen('e2e');
    log(`  ${fmt(e2e.perSecond)} events/s`);
    const checks = await verify(app, registry, stream);
    // The produced messages are the benchmark's, not the service's: released so that the service's heap
    // during the reads is its own (a real feature service does not hold its producers' 600k messages).
    stream.framed.length = 0;
    log('reads');
    ticks = machineCpuTicks();
    let earliestWatermark = Infinity;
    for (const w of stream.watermarks.values()) earliestWatermark = Math.min(earliestWatermark, w);
    const r = await reads(app, port, [...stream.watermarks.keys()], earliestWatermark, cleanup);
    stolen('reads');
    report(stream, events, pre, perMessage, streaming, [floor, segments], e2e, checks, r);
  } finally {
    log('cleaning up');
    await cleanup.run();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench:ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
