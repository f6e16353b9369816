/**
 * `npm run bench:training`: the training pipeline on a simulated log in the machine's Postgres.
 *   1. Load: a simulated learning-engagement stream (createSimulation, fixed seed and start; default
 *      19,000 learners x 60 days, about 5.1M events) appended to the event log of a throwaway database
 *      in chunks (appendMany, binary COPY), by a child process (load-log.ts), so this process never
 *      held the stream; then VACUUM ANALYZE, as autovacuum would do after a bulk load.
 *   2. Reference: the raw read rate of the log through eventLog.pagesForEntities() (no features), before
 *      the build and again after it.
 *   3. The figure: buildExamples for lesson_completion over eventLogSource (the pipeline's replay of
 *      the log, grouped by entity): logged events replayed per second, and the peak RSS of this
 *      process during it (sampled every 100 ms on a worker thread; the kernel's high-water mark too).
 *   4. Reference: buildExamples over the same events in memory (no database; read in chunks of whole
 *      learners, only the build timed), checked to give the same examples; and the same without the
 *      leakage probe, to show its share.
 *   5. Training: the examples of step 3 split by time (timeSplit, the spec's shares and horizon),
 *      exported as float32 matrices (NaN = missing), then XGBoost (xgb-training.py, same parameters,
 *      hist, max_bin 256, 2 threads, early stopping on validation logloss) and fitModel (the spec's
 *      parameters, early stopping) timed on them; rounds kept and test AUC of each.
 * Every figure is printed with the 1-minute load average; the summary marks each target MET / NOT MET
 * and the process exits 0 either way (1 only on an error). The database and temp files are removed.
 *
 * Options: --learners N (19000), --days D (60), --no-memory (skip step 4), --no-train (skip step 5),
 * --profile (CPU profile of step 3, saved to the temp dir and summarised). Env: PULSE_TEST_POSTGRES_URL
 * (the server, default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import type { EngagementEvent } from '@pulse/contracts';
import { learningEngagementRegistry } from '@pulse/features';
import { auc } from '@pulse/ml-metrics';
import { compileModelSpec, DEFAULT_MODELS, type ModelSpec } from '@pulse/models';

import { initStorage, type EventLogRepository, type Storage } from '@pulse/storage';
import { createTestDatabase } from '@pulse/testing';

import { buildExamples, fitModel, predictRows, timeSplit, type ExampleSet } from '@pulse/training';

import { eventLogSource, memorySource } from '@pulse/training-jobs';
import { exportMatrices } from './export-matrices';
import type { LoadResult } from './load-log';
import { PhaseProfiler, printProfile } from './phase-profile';
import { RssSampler } from './rss-sampler';

const SEED = 'bench-training';
/** 2026-09-01T00:00Z: a fixed start, so the stream is the same whatever the day. */
const START_MS = Date.UTC(2026, 8, 1);
const TARGET_EVENTS_PER_S = 150_000;
const TARGET_RSS_BYTES = 1.5e9;
/** Events per chunk of the in-memory reference (whole learners). */
const MEMORY_CHUNK = 500_000;

function option(name: string, fallback: number): number {
  const at = process.argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at === -1) return fallback;
  const raw = process.argv[at].includes('=') ? process.argv[at].split('=')[1] : process.argv[at + 1];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`--${name} wants a positive integer, got ${raw}`);
  return value;
}

const flag = (name: string) => process.argv.includes(`--${name}`);

/** Lets the event loop turn, so that perf_hooks delivers the GC entries of a synchronous stretch. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

function secs(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** The 1-minute load average: the machine is shared, so every figure is printed with it. */
function load(): string {
  return `load ${os.loadavg()[0].toFixed(2)}`;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => `${int(bytes / 1e6)} MB`;
/** An AUC difference with its sign, 4 decimals ("±0.0000" when it rounds to zero). */
const signed = (d: number) => (Math.abs(d) < 5e-5 ? '±0.0000' : `${d > 0 ? '+' : ''}${d.toFixed(4)}`);

/** Milliseconds spent in garbage collection, summed from the perf_hooks 'gc' entries. */
class GcClock {
  private ms = 0;
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.ms += e.duration;
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  get totalMs(): number {
    return this.ms;
  }

  stop(): void {
    this.observer.disconnect();
  }
}

/** Cleanup steps, run in reverse order at the end, on an error, and on SIGINT / SIGTERM. */
class Cleanup {
  private readonly steps: { name: string; run: () => unknown }[] = [];
  private running: Promise<void> | undefined;

  constructor() {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      process.on(signal, () => {
        if (this.running) return;
        console.error(`\n${signal}: cleaning up`);
        void this.run().finally(() => process.exit(code));
      });
    }
  }

  add(name: string, run: () => unknown): void {
    this.steps.push({ name, run });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.run();
        } catch (error) {
          console.error(`cleanup: ${step.name} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return this.running;
  }
}

interface Rate {
  readonly events: number;
  readonly seconds: number;
  readonly gcMs: number;
}

/**
 * CPU seconds of this process (all its threads) and of the Postgres backends serving this database
 * (from /proc, Linux only) over a phase: how much of the wall time each side worked.
 */
class CpuMeter {
  private node0 = process.cpuUsage();
  private pg0 = new Map<number, number>();

  constructor(private readonly dataSource: Storage['dataSource']) {}

  async start(): Promise<void> {
    this.pg0 = await this.backends();
    this.node0 = process.cpuUsage();
  }

  async stop(): Promise<{ node: number; postgres: number | undefined }> {
    const used = process.cpuUsage(this.node0);
    const now = await this.backends();
    let postgres: number | undefined = 0;
    if (now.size === 0) postgres = undefined;
    for (const [pid, ticks] of now)
      postgres = postgres === undefined ? undefined : postgres + ticks - (this.pg0.get(pid) ?? 0);
    return { node: (used.user + used.system) / 1e6, postgres };
  }

  static format(cpu: { node: number; postgres: number | undefined }): string {
    return `CPU: this process ${cpu.node.toFixed(1)} s${cpu.postgres === undefined ? '' : `, Postgres ${cpu.postgres.toFixed(1)} s`}`;
  }

  /** CPU seconds so far of each backend connected to this database (100 ticks a second). */
  private async backends(): Promise<Map<number, number>> {
    const rows: { pid: number }[] = await this.dataSource.query(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
    );
    const out = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        out.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
      } catch {
        // Not Linux, or not visible from here: Postgres's share is left out.
      }
    }
    return out;
  }
}

const perSecond = (r: Rate) => r.events / r.seconds;

/** The log read page by page (pagesForEntities, as the pipeline reads it) alone: the query, the page's parse and the events, nothing else. */
async function rawRead(
  eventLog: EventLogRepository,
  untilMs: number,
  gc: GcClock,
  meter: CpuMeter,
): Promise<Rate & { cpu: string }> {
  await settle();
  const gc0 = gc.totalMs;
  await meter.start();
  const t0 = process.hrtime.bigint();
  let events = 0;
  for await (const page of eventLog.pagesForEntities({ untilMs })) events += page.length;
  const seconds = secs(t0);
  const cpu = CpuMeter.format(await meter.stop());
  await settle();
  return { events, seconds, gcMs: gc.totalMs - gc0, cpu };
}

/** FNV-1a over examples' inputs, labels, times and ids, row after row: equal rows in equal order give equal sums. */
class ExampleHash {
  private h = 0x811c9dc5;
  private readonly scalar = new Float64Array(2);
  rows = 0;

  add(examples: ExampleSet): this {
    for (let i = 0; i < examples.size; i++) {
      const row = examples.row(i);
      this.mix(new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
      this.scalar[0] = examples.label(i);
      this.scalar[1] = examples.time(i);
      this.mix(new Uint8Array(this.scalar.buffer));
      this.mix(Buffer.from(`${examples.entityIds[i]}\u0000${examples.triggerIds[i]}`));
    }
    this.rows += examples.size;
    return this;
  }

  get hex(): string {
    return `${this.rows}:${(this.h >>> 0).toString(16).padStart(8, '0')}`;
  }

  private mix(bytes: Uint8Array): void {
    let h = this.h;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    this.h = h;
  }
}

/**
 * The log's events in chunks of whole entities (at least `size` events each, the last one smaller), so
 * an in-memory build never has more than one chunk live: a heap of all 5M events (~2 GB) would make
 * every major GC of the build mark it, and the reference would measure that instead of the builder.
 */
async function* entityChunks(
  eventLog: EventLogRepository,
  untilMs: number,
  size: number,
): AsyncGenerator<EngagementEvent[]> {
  let chunk: EngagementEvent[] = [];
  let last = '';
  for await (const e of eventLog.streamForEntities({ untilMs })) {
    if (chunk.length >= size && e.entityId !== last) {
      yield chunk;
      chunk = [];
    }
    chunk.push(e);
    last = e.entityId;
  }
  if (chunk.length > 0) yield chunk;
}

interface XgbResult {
  readonly version: string;
  readonly seconds: number;
  readonly dmatrixSeconds: number;
  readonly trainSeconds: number;
  readonly cpuSeconds: number;
  readonly roundsTrained: number;
  readonly roundsKept: number;
  readonly testAuc: number;
}

interface TrainingFigures {
  readonly rows: { train: number; validation: number; test: number };
  readonly ours: { seconds: number; roundsTrained: number; roundsKept: number; testAuc: number };
  readonly xgb?: XgbResult;
}

async function trainingComparison(spec: ModelSpec, examples: ExampleSet, dir: string): Promise<TrainingFigures> {
  const split = timeSplit(examples, spec.split, spec.horizonMs);
  const t0 = process.hrtime.bigint();
  const exported = exportMatrices(examples, split, dir);
  const trainLabels = examples.labels(split.train);
  const prior = trainLabels.reduce((a, b) => a + b, 0) / trainLabels.length;
  console.log(
    `split by time: train ${int(split.train.length)}, validation ${int(split.validation.length)}, test ${int(split.test.length)} rows (${int(split.purged)} purged), ${examples.width} inputs; exported ${mb(exported.bytes)} of float32 matrices in ${secs(t0).toFixed(1)} s; train positive rate ${prior.toFixed(4)}`,
  );

  const p = spec.params ?? {};
  const rounds = Number(p.num_boost_round);
  const patience = Number(p.early_stopping_rounds);
  // The engine starts from the label prior (its default base_score); XGBoost 1.7.4 starts from 0.5 unless told.
  const xgbParams = {
    objective: 'binary:logistic',
    eval_metric: 'logloss',
    eta: p.eta,
    max_depth: p.max_depth,
    min_child_weight: p.min_child_weight,
    subsample: p.subsample,
    colsample_bytree: p.colsample_bytree,
    lambda: p.lambda,
    seed: p.seed,
    base_score: prior,
    tree_method: 'hist',
    max_bin: 256,
    nthread: 2,
  };
  let xgb: XgbResult | undefined;
  console.log(
    `running XGBoost on the same matrices (xgb-training.py: ${Object.entries(xgbParams)
      .filter(([k]) => k !== 'base_score')
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}, base_score = the train prior, ${rounds} rounds, early stopping ${patience})...`,
  );
  const r = spawnSync(
    '/usr/bin/python3',
    [
      path.resolve(process.cwd(), 'apps/training-service/bench/xgb-training.py'),
      dir,
      JSON.stringify(xgbParams),
      String(rounds),
      String(patience),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) console.log(`XGBoost reference failed (left out): ${r.stderr || r.error?.message}`);
  else {
    xgb = JSON.parse(r.stdout.trim().split('\n').pop()!) as XgbResult;
    console.log(
      `xgboost ${xgb.version}: ${xgb.seconds.toFixed(2)} s (DMatrix ${xgb.dmatrixSeconds.toFixed(2)} s + train ${xgb.trainSeconds.toFixed(2)} s; CPU ${xgb.cpuSeconds.toFixed(1)} s), ${xgb.roundsTrained} rounds trained, ${xgb.roundsKept} kept, test AUC ${xgb.testAuc.toFixed(4)} (sklearn) [${load()}]`,
    );
  }

  console.log(`running fitModel (the spec's parameters: ${JSON.stringify(p)})...`);
  const t1 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const fit = await fitModel(spec, examples, split);
  const seconds = secs(t1);
  const cpu = process.cpuUsage(cpu0);
  const testAuc = auc(examples.labels(split.test), predictRows(fit.model, examples, split.test));
  const ours = { seconds, roundsTrained: fit.validationHistory.length, roundsKept: fit.bestIteration + 1, testAuc };
  console.log(
    `pulse fitModel: ${seconds.toFixed(2)} s (datasets, binning and training; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s), ${ours.roundsTrained} rounds trained, ${ours.roundsKept} kept, test AUC ${testAuc.toFixed(4)} (@pulse/ml-metrics) [${load()}]`,
  );
  if (xgb)
    console.log(
      `ratio to XGBoost: time ${(seconds / xgb.seconds).toFixed(2)}x, per round trained ${(seconds / ours.roundsTrained / (xgb.seconds / xgb.roundsTrained)).toFixed(2)}x, test AUC ${signed(testAuc - xgb.testAuc)}`,
    );
  return { rows: exported.rows, ours, xgb };
}

async function main(): Promise<void> {
  const learners = option('learners', 19_000);
  const days = option('days', 60);
  const spec = DEFAULT_MODELS.lesson_completion;
  const registry = learningEngagementRegistry();
  const compiled = compileModelSpec(spec, registry);
  const cleanup = new Cleanup();
  const sampler = new RssSampler(100);
  cleanup.add('RSS sampler', () => sampler.stop());
  const gc = new GcClock();
  cleanup.add('gc observer', () => gc.stop());
  console.log(
    `bench:training — ${int(learners)} learners x ${days} days (seed ${SEED}), model lesson_completion (${compiled.featureNames.length} inputs); node ${process.version} ${process.execArgv.join(' ')}, ${os.cpus().length} cores [${load()}]`,
  );

  try {
    const db = await createTestDatabase('pulse_bench_training');
    cleanup.add(`database ${db.name}`, () => db.drop());
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-bench-training-'));
    cleanup.add(`temp dir ${tmp}`, () => fs.rmSync(tmp, { recursive: true, force: true }));
    const storage = await initStorage({ url: db.url });
    cleanup.add('storage', () => storage.close());
    const meter = new CpuMeter(storage.dataSource);

    // 1. Load, in a child process.
    console.log(
      `\n1. loading the simulated stream into the event log of ${db.name} (COPY, ${int(50_000)} per append)...`,
    );
    const resultFile = path.join(tmp, 'load.json');
    const loader = spawnSync(
      process.execPath,
      [
        ...process.execArgv,
        path.join(__dirname, 'load-log.js'),
        ...['--url', db.url, '--learners', String(learners), '--days', String(days)],
        ...['--seed', SEED, '--start', String(START_MS), '--result', resultFile],
      ],
      { stdio: 'inherit' },
    );
    if (loader.status !== 0) throw new Error(`the loader failed (exit ${loader.status ?? loader.signal})`);
    const loaded = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as LoadResult;
    const logged = await storage.eventLog.count();
    if (logged !== loaded.events)
      throw new Error(`the log holds ${logged} events, the loader appended ${loaded.events}`);
    let t0 = process.hrtime.bigint();
    await storage.dataSource.query('VACUUM ANALYZE event_log');
    const vacuumSecs = secs(t0);
    const [{ size }]: { size: string }[] = await storage.dataSource.query(
      `SELECT pg_total_relation_size('event_log') AS size`,
    );
    console.log(
      `load (not a target): ${int(loaded.events)} events of ${int(loaded.entities)} learners in ${loaded.seconds.toFixed(1)} s = ${int(loaded.events / loaded.seconds)} events/s with generation; appendMany alone ${loaded.appendSeconds.toFixed(1)} s = ${int(loaded.events / loaded.appendSeconds)} events/s; log checked (${int(logged)} rows, ${mb(Number(size))} with indexes); VACUUM ANALYZE ${vacuumSecs.toFixed(1)} s [${load()}]`,
    );

    // 2. Reference: the raw read.
    const source = await eventLogSource(storage.dataSource, storage.eventLog);
    console.log(
      '\n2. reference: reading the log through eventLog.pagesForEntities() alone (no features; again after step 3)...',
    );
    const raw = await rawRead(storage.eventLog, source.watermarkMs, gc, meter);
    console.log(
      `raw read: ${int(raw.events)} events in ${raw.seconds.toFixed(2)} s = ${int(perSecond(raw))} events/s (GC ${(raw.gcMs / 1000).toFixed(1)} s; ${raw.cpu}) [${load()}]`,
    );

    // 3. The figure: the example builder replaying the log.
    console.log('\n3. buildExamples(lesson_completion) over eventLogSource (the pipeline replaying the log)...');
    const profiler = flag('profile') ? new PhaseProfiler() : undefined;
    await profiler?.start();
    await settle();
    const gc0 = gc.totalMs;
    const rssBefore = process.memoryUsage.rss();
    await meter.start();
    sampler.mark();
    t0 = process.hrtime.bigint();
    const logSource = await eventLogSource(storage.dataSource, storage.eventLog);
    const built = await buildExamples({
      compiled,
      registry,
      events: logSource.events(),
      watermarkMs: logSource.watermarkMs,
    });
    const buildSeconds = secs(t0);
    const peak = sampler.peak();
    const buildCpu = CpuMeter.format(await meter.stop());
    await settle();
    const build: Rate = { events: built.eventsSeen, seconds: buildSeconds, gcMs: gc.totalMs - gc0 };
    const maxRss = process.resourceUsage().maxRSS * 1024;
    const profile = await profiler?.stop(path.join(os.tmpdir(), `bench-training-build-${process.pid}.cpuprofile`));
    const examples = built.examples;
    console.log(
      `examples: ${int(examples.size)} rows x ${examples.width} inputs from ${int(built.entities)} learners (${int(built.censored)} censored, ${int(built.leakageProbes)} leakage probes, leaking columns: ${built.leakingColumns.length === 0 ? 'none' : built.leakingColumns.join(', ')})`,
    );
    console.log(
      `pulse build from the log: ${int(build.events)} events in ${build.seconds.toFixed(2)} s = ${int(perSecond(build))} events/s (GC ${(build.gcMs / 1000).toFixed(1)} s; ${buildCpu}); ${(perSecond(build) / perSecond(raw)).toFixed(2)}x the raw read [${load()}]`,
    );
    console.log(
      `peak RSS during the build: ${mb(peak.bytes)} (${peak.samples} samples every 100 ms; ${mb(rssBefore)} before it; kernel high-water mark of the process so far ${mb(maxRss)}; heap used now ${mb(process.memoryUsage().heapUsed)})`,
    );
    if (profile) printProfile('the build from the log', profile);
    // The raw read once more: the machine is shared, so its spread brackets the build's figure.
    const rawAfter = await rawRead(storage.eventLog, source.watermarkMs, gc, meter);
    console.log(
      `raw read again, after the build: ${int(rawAfter.events)} events in ${rawAfter.seconds.toFixed(2)} s = ${int(perSecond(rawAfter))} events/s (GC ${(rawAfter.gcMs / 1000).toFixed(1)} s; ${rawAfter.cpu}) [${load()}]`,
    );

    // 4. Reference: the same build over the same events, in memory.
    let memory: (Rate & { chunks: number; same: boolean }) | undefined;
    let noProbe: Rate | undefined;
    if (!flag('no-memory')) {
      console.log(
        `\n4. reference: buildExamples over the same events in memory (no database), read in chunks of whole learners (>= ${int(MEMORY_CHUNK)} events), each built twice: as the pipeline does, and without the leakage probe (leakageEvery 0)...`,
      );
      const want = new ExampleHash().add(examples).hex;
      const got = new ExampleHash();
      memory = { events: 0, seconds: 0, gcMs: 0, chunks: 0, same: false };
      noProbe = { events: 0, seconds: 0, gcMs: 0 };
      let heapPeak = 0;
      const timed = async (events: EngagementEvent[], leakageEvery?: number) => {
        const inMemory = memorySource('memory', events, source.watermarkMs);
        await settle();
        const gc1 = gc.totalMs;
        const start = process.hrtime.bigint();
        const result = await buildExamples({
          compiled,
          registry,
          events: inMemory.events(),
          watermarkMs: source.watermarkMs,
          ...(leakageEvery === undefined ? {} : { leakageEvery }),
        });
        const seconds = secs(start);
        await settle();
        return { result, rate: { events: result.eventsSeen, seconds, gcMs: gc.totalMs - gc1 } };
      };
      const add = (a: Rate, b: Rate): Rate => ({
        events: a.events + b.events,
        seconds: a.seconds + b.seconds,
        gcMs: a.gcMs + b.gcMs,
      });
      for await (const chunk of entityChunks(storage.eventLog, source.watermarkMs, MEMORY_CHUNK)) {
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
        const probed = await timed(chunk);
        got.add(probed.result.examples);
        memory = { ...memory, ...add(memory, probed.rate), chunks: memory.chunks + 1 };
        noProbe = add(noProbe, (await timed(chunk, 0)).rate);
      }
      memory = { ...memory, same: got.hex === want };
      console.log(
        `pulse build in memory: ${int(memory.events)} events in ${memory.seconds.toFixed(2)} s of building = ${int(perSecond(memory))} events/s (GC ${(memory.gcMs / 1000).toFixed(1)} s; ${memory.chunks} chunks, heap used at most ${mb(heapPeak)} with one read); same examples as from the log: ${memory.same ? 'yes' : 'NO'} [${load()}]`,
      );
      console.log(
        `pulse build in memory without the leakage probe: ${int(noProbe.events)} events in ${noProbe.seconds.toFixed(2)} s = ${int(perSecond(noProbe))} events/s (GC ${(noProbe.gcMs / 1000).toFixed(1)} s); the probe is ${(100 * (1 - noProbe.seconds / memory.seconds)).toFixed(0)} % of the in-memory build [${load()}]`,
      );
    }

    // 5. Training time next to XGBoost's.
    let training: TrainingFigures | undefined;
    if (!flag('no-train')) {
      console.log('\n5. lesson_completion training on the examples built in 3, next to XGBoost on the same matrices');
      training = await trainingComparison(spec, examples, path.join(tmp, 'matrices'));
    }

    // Summary.
    const verdict = (met: boolean) => (met ? 'MET' : 'NOT MET');
    const rows: string[][] = [
      ['figure', 'measured', 'reference (same run)', 'target', 'verdict'],
      [
        'training-set build from the Postgres log',
        `${int(perSecond(build))} events/s`,
        [
          `raw read ${int(perSecond(raw))} / ${int(perSecond(rawAfter))} events/s (before / after)`,
          ...(memory ? [`build in memory ${int(perSecond(memory))} events/s`] : []),
          ...(noProbe ? [`in memory without the leakage probe ${int(perSecond(noProbe))} events/s`] : []),
        ].join('; '),
        `>= ${int(TARGET_EVENTS_PER_S)} events/s`,
        verdict(perSecond(build) >= TARGET_EVENTS_PER_S),
      ],
      [
        `peak RSS, ${int(build.events)} logged events`,
        mb(peak.bytes),
        `${mb(rssBefore)} before the build`,
        `<= ${mb(TARGET_RSS_BYTES)}`,
        verdict(peak.bytes <= TARGET_RSS_BYTES),
      ],
    ];
    if (training) {
      const { ours, xgb } = training;
      rows.push(
        [
          `lesson_completion training (${int(training.rows.train)} train rows)`,
          `${ours.seconds.toFixed(1)} s, ${ours.roundsKept} of ${ours.roundsTrained} rounds kept`,
          xgb
            ? `XGBoost ${xgb.seconds.toFixed(1)} s, ${xgb.roundsKept} of ${xgb.roundsTrained} kept`
            : 'XGBoost not run',
          'next to XGBoost',
          xgb ? `${(ours.seconds / xgb.seconds).toFixed(2)}x` : '-',
        ],
        [
          `lesson_completion test AUC (${int(training.rows.test)} rows)`,
          ours.testAuc.toFixed(4),
          xgb ? `XGBoost ${xgb.testAuc.toFixed(4)}` : '-',
          'next to XGBoost',
          xgb ? signed(ours.testAuc - xgb.testAuc) : '-',
        ],
      );
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
    console.log(`\nsummary (${int(learners)} learners x ${days} days) [${load()}]`);
    console.log(line(rows[0]));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const r of rows.slice(1)) console.log(line(r));
  } finally {
    await cleanup.run();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
