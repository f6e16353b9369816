// `node tools/build.mjs && node dist/apps/feature-service/bench/batch-encode.bench.js`: the batch read
// path without HTTP, Redis or Kafka — FeatureReader.readColumns over an in-memory store holding the
// same simulated learners as bench:ingest, and the BatchResponseWriter encoding its rows as the
// controller does (rows written as each version chunk is answered, answers' buffers and arrays
// recycled). Prints per-batch times (readColumns alone; read + encode; the encoding alone), the answer
// size and the GC pauses of each phase, so a read-path change can be measured in seconds instead of a
// full bench:ingest run (without its HTTP, cold caches and other work: figures are lower).
// Options (environment): PULSE_BENCH_LEARNERS (4000), PULSE_BENCH_DAYS (60), PULSE_BENCH_EVENTS
// (600000), PULSE_BENCH_BATCH_READS (200), PULSE_BENCH_ROUNDS (3: measured rounds of each phase).
// `-- --alloc-profile`: after the rounds, what one more read + encode phase allocates, by function.
// `-- --profile-cold`: after the rounds, a CPU profile of one more cold readColumns phase, by function.
import os from 'node:os';
import path from 'node:path';
import type { EngagementEvent } from '@pulse/contracts';
import { createFsMetrics } from '@pulse/feature-service';
import {
  BatchResponseWriter,
  EPOCH_MS,
  FeatureReader,
  foldBatchIntoStore,
  InMemoryOnlineStore,
  learningEngagementRegistry,
  ResponseBuffers,
  StateCache,
} from '@pulse/features';
import { createSimulation } from '@pulse/simulator';
import { Registry } from 'prom-client';
import { AllocationProfiler } from './alloc-profile';
import { PhaseProfiler, printProfile } from './cpu-profile';
import { envInt } from './bench-resources';
import { GcWatch, pick, summarize, type GcPauses, type LatencySummary } from './latency';

const settings = {
  learners: envInt('PULSE_BENCH_LEARNERS', 4000),
  days: envInt('PULSE_BENCH_DAYS', 60),
  events: envInt('PULSE_BENCH_EVENTS', 600_000),
  batchReads: envInt('PULSE_BENCH_BATCH_READS', 200),
  rounds: envInt('PULSE_BENCH_ROUNDS', 3),
  batchEntities: 1000,
  allocations: process.argv.includes('--alloc-profile'),
  profileCold: process.argv.includes('--profile-cold'),
};

const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;

async function main(): Promise<void> {
  const registry = learningEngagementRegistry();
  const store = new InMemoryOnlineStore({ ttlSeconds: 0 });
  const cache = new StateCache({ maxEntries: 20_000 });

  const events: EngagementEvent[] = [];
  for (const e of createSimulation({ seed: 'bench-ingest', learners: settings.learners, days: settings.days })) {
    events.push(e);
    if (events.length >= settings.events) break;
  }
  for (let i = 0; i < events.length; i += 5000)
    await foldBatchIntoStore(store, events.slice(i, i + 5000), registry, { stateCache: cache });
  const entities = [...new Set(events.map((e) => e.entityId))];
  events.length = 0;

  const metrics = createFsMetrics(new Registry());
  const service = new FeatureReader({
    store,
    events: { streamForEntities: async function* () {} },
    registry,
    states: cache,
    evaluatedEntries: 20_000,
    onRead: (path, entities) => metrics.featureReads.inc({ path }, entities),
  });
  const buffers = new ResponseBuffers();
  let bytes = 0;
  const encoded = async (ids: readonly string[]) => {
    const out = new BatchResponseWriter(buffers.take());
    const read = await service.readColumns(ids, Date.now(), undefined, (r, end) => out.write(r, end));
    bytes = out.finish(read).length;
    service.recycle(read);
    buffers.give(out.buffer);
  };
  const columnsOnly = async (ids: readonly string[]) => service.recycle(await service.readColumns(ids, Date.now()));
  // Every batch as of a time in a 5-minute epoch nothing was evaluated for: each entity evaluated afresh.
  let coldEpoch = Math.floor(Date.now() / EPOCH_MS) + 1;
  const columnsCold = async (ids: readonly string[]) =>
    service.recycle(await service.readColumns(ids, coldEpoch++ * EPOCH_MS + 1));

  // The encoding alone: the columns read first, untimed.
  const encodingOnly = async (ids: readonly string[]) => {
    const r = await service.readColumns(ids, Date.now());
    const t = process.hrtime.bigint();
    const out = new BatchResponseWriter(buffers.take());
    bytes = out.finish(r).length;
    const took = ms(t);
    service.recycle(r);
    buffers.give(out.buffer);
    return took;
  };

  const phase = async (
    run: (ids: readonly string[]) => Promise<number | void>,
  ): Promise<{ times: LatencySummary; gc: GcPauses }> => {
    const gc = new GcWatch();
    const times: number[] = [];
    for (let i = 0; i < settings.batchReads; i++) {
      // A new id list per batch, as a parsed request body is (not kept: the server's are not either).
      const ids = pick(entities, Math.min(settings.batchEntities, entities.length));
      const t = process.hrtime.bigint();
      const own = await run(ids);
      times.push(own ?? ms(t));
    }
    // GC entries reach the observer from the event loop, which the batches (all microtasks) never yield to.
    await new Promise((resolve) => setTimeout(resolve, 10));
    return { times: summarize(times), gc: gc.stop() };
  };

  // Warm-up: evaluations cached, templates made, JIT.
  for (let i = 0; i < 20; i++) await encoded(pick(entities, settings.batchEntities));
  const f = (x: number) => x.toFixed(3).padStart(8);
  const line = (label: string, p: { times: LatencySummary; gc: GcPauses }) =>
    console.log(
      `  ${label.padEnd(28)} p50 ${f(p.times.p50)}  p99 ${f(p.times.p99)}  max ${f(p.times.max)}  mean ${f(p.times.mean)} ms;  GC ${p.gc.count} (${p.gc.scavenges} scavenges) ${p.gc.totalMs.toFixed(1)} ms, longest ${p.gc.maxMs.toFixed(2)} ms`,
    );
  console.log(
    `batch-encode: ${entities.length} learners, ${settings.batchReads} batches of ${settings.batchEntities} per phase, node ${process.version}`,
  );
  for (let round = 0; round < settings.rounds; round++) {
    line('readColumns alone', await phase(columnsOnly));
    line('readColumns + encode', await phase(encoded));
    line('encode alone', await phase(encodingOnly));
    line('readColumns cold', await phase(columnsCold));
  }
  console.log(`  answer: ${(bytes / 1024).toFixed(0)} KiB per batch`);
  if (settings.profileCold) {
    const profiler = new PhaseProfiler();
    await profiler.start();
    await phase(columnsCold);
    printProfile(
      `${settings.batchReads} cold readColumns`,
      await profiler.stop(path.join(os.tmpdir(), `pulse-batch-cold-${Date.now()}.cpuprofile`), 40),
    );
  }
  if (settings.allocations) {
    const profiler = new AllocationProfiler();
    await profiler.start();
    await phase(encoded);
    const a = await profiler.stop(path.join(os.tmpdir(), `pulse-batch-encode-${Date.now()}.heapprofile`));
    console.log(`allocations of ${settings.batchReads} reads + encodings (sampled, freed objects included): ${a.file}`);
    console.log(`  ${(a.totalBytes / settings.batchReads).toFixed(0)} B per batch; by allocating function:`);
    for (const site of a.sites)
      console.log(
        `    ${(site.share * 100).toFixed(1).padStart(5)} %  ${(site.bytes / settings.batchReads).toFixed(0).padStart(8)} B/batch  ${site.name}`,
      );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
