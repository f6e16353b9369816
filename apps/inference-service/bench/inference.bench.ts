/**
 * `npm run bench:inference`: inference-service on this machine against real components — librdkafka's
 * mock cluster (kcat, started here), the machine's Postgres (a throwaway database) and Redis (a
 * throwaway key prefix) — each figure next to a reference measured in the same run.
 *
 * The services run as they are deployed: feature-service and inference-service are the built apps
 * (dist/apps/<name>/main.js) in child processes of their own (@pulse/testing's ServiceProcess), with
 * their default settings except the names of topics, groups and keys and KAFKA_MAX_WAIT_MS (below);
 * the clients (HTTP load, Kafka producer, predictions reader, batch scorer) run in this process, so no
 * client work shares a service's event loop.
 *
 *   0. Data: lesson_completion trained with its spec's parameters on one simulated log (seed
 *      bench-inference-train) and registered as champion; a second stream (seed bench-inference,
 *      start 2026-09-01) whose first --preload-days are appended to the event log and folded into the
 *      online states in Redis before the services start; its later days are produced live in step 2.
 *   1. HTTP: POST /v1/predict/lesson_completion at a paced --http-rate (500/s) for --http-seconds (20),
 *      open loop, random learners with an online state, as of now (features read online). Server side:
 *      each answer's latencyMs (the service's time from the request parsed to the prediction ready) and
 *      pulse_http_request_duration_seconds (arrival to the response written, bucketed); client side:
 *      send to the last byte. Reference: a bare onnxruntime-node session on the same ONNX scoring one
 *      row per call.
 *   2. Kafka: the stream's next events produced (protobuf, keyed by learner) to a fresh events topic at
 *      the pace of --trigger-rate (5000) lesson_sent triggers per second for --kafka-seconds (15), with
 *      the events between triggers; both services consume it (feature-service folds, inference-service
 *      waits for the fold, scores and publishes). Latency = the prediction read off the predictions topic
 *      here minus the send that carried the trigger handed to the producer here; a prediction not read
 *      within 30 s of the last send is counted as missing. First with INFERENCE_TOP_FACTORS at the
 *      service's default (3); if that misses the target, again with 0; then, for information, at each of
 *      --extra-rates (500) with the default. Both services are started again on a new events topic for
 *      each run, so that no run inherits another's backlog. Reference: one raw Kafka hop (produce →
 *      consume) on the same brokers at the target's pace.
 *      Two settings keep the mock broker from measuring itself: it answers a fetch that finds nothing
 *      only when the fetch's wait runs out (a real broker answers as soon as data arrives), so every
 *      consumer here waits at most --max-wait-ms (10, KAFKA_MAX_WAIT_MS's least) per fetch; and it
 *      answers a fetch with one produce request per partition, so the producer sends every --linger-ms
 *      (25) what is due, as a producer with linger.ms would (with 5 ms the consumers fell behind the
 *      requests, not the events, at 500 triggers/s).
 *   3. Batch (services stopped): @pulse/inference's scoreEntities over every preloaded learner, as of
 *      now (features from the Redis states), in chunks of --chunk (5000): rows/s end to end, the reads
 *      alone, and the scoring with the reads done beforehand; reference: a bare onnxruntime session on
 *      the very rows in the same chunks. For information, the same as of a time before the states
 *      (every row replayed from the Postgres log).
 *
 * A summary table marks each target MET / NOT MET, with the load average; the exit code is 0 either
 * way (1 on an error). Everything started is stopped and removed on every way out. Each phase prints
 * the CPU each process used (cores) and inference-service's by thread.
 *
 * Options: --learners (8000) --days (60) --preload-days (14) --train-learners (2000) --train-days (35)
 * --http-rate (500) --http-seconds (20) --trigger-rate (5000) --kafka-seconds (15) --extra-rates
 * (500; "none") --max-wait-ms (10) --linger-ms (25) --chunk (5000) --passes (5); --no-http,
 * --no-kafka, --no-batch skip a step; --both-factor-runs measures the Kafka path with 0 factors even
 * when the default meets the target; --ort-threads N gives inference-service's onnxruntime sessions N
 * intra-op threads (ort-threads.preload.ts; the service sets none, onnxruntime takes one per core);
 * --http-top-factors N runs the HTTP step with INFERENCE_TOP_FACTORS=N;
 * --profile writes each service's main-thread CPU profile to the temp dir (cpu-profile.preload.ts).
 * Env: PULSE_TEST_POSTGRES_URL, PULSE_TEST_REDIS_URL.
 */
import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { createBus } from '@pulse/bus';
import { FeatureReader, learningEngagementRegistry } from '@pulse/features';
import { loadServableModel, type ServableModel } from '@pulse/inference';
import { compileModelSpec, DEFAULT_MODELS } from '@pulse/models';
import { RedisOnlineStore } from '@pulse/redis-store';
import { initStorage, ModelRegistryRepository } from '@pulse/storage';
import { createTestDatabase, randomName, randomRedisPrefix, startKafkaMockCluster, testRedisUrl } from '@pulse/testing';
import { LiveStream, nextTriggers, preload, trainChampion } from './bench-data';
import { batchPhase, type BatchPhaseResult } from './batch-phase';
import { BenchServices } from './bench-services';
import {
  listOption,
  Cleanup,
  CpuMeter,
  describeMs,
  flag,
  int,
  load,
  ms,
  numberOption,
  printTable,
  sleep,
  ThreadMeter,
  type Latencies,
} from './bench-support';
import { httpPhase, type HttpPhaseResult } from './http-phase';
import { kafkaRun, PredictionWatcher, rawHop, type KafkaRunResult } from './kafka-phase';
import { BareSession } from './ort-reference';
import { describeHistogram, percentileBound, shareAtMost } from './service-metrics';

const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2026, 8, 1);
const TRAIN_START_MS = Date.UTC(2026, 5, 1);
const MODEL = 'lesson_completion';
const TARGET_HTTP_P99_MS = 5;
const TARGET_KAFKA_P99_MS = 50;
const TARGET_BATCH_ROWS_PER_S = 100_000;
/** What inference-service runs with when INFERENCE_TOP_FACTORS is not set. */
const DEFAULT_TOP_FACTORS = '3';
const WARMUP_TRIGGERS = 2000;
const PROFILE_DIR = path.join(os.tmpdir(), 'pulse-bench-inference-profiles');

interface KafkaFigure {
  readonly factors: string;
  /** The pace asked for (triggers/s). */
  readonly rate: number;
  readonly run: KafkaRunResult;
  readonly cpu: string;
}

async function main(): Promise<void> {
  const o = {
    learners: numberOption('learners', 8000),
    days: numberOption('days', 60),
    preloadDays: numberOption('preload-days', 14),
    trainLearners: numberOption('train-learners', 2000),
    trainDays: numberOption('train-days', 35),
    httpRate: numberOption('http-rate', 500),
    httpSeconds: numberOption('http-seconds', 20),
    triggerRate: numberOption('trigger-rate', 5000),
    kafkaSeconds: numberOption('kafka-seconds', 15),
    chunk: numberOption('chunk', 5000),
    passes: numberOption('passes', 5),
    maxWaitMs: numberOption('max-wait-ms', 10),
    lingerMs: numberOption('linger-ms', 25),
  };
  const extraRates = listOption('extra-rates', [500]);
  // --http-top-factors N: the HTTP phase with N factors instead of the service's default.
  const httpFactors = process.argv.some((a) => a.startsWith('--http-top-factors'))
    ? String(numberOption('http-top-factors', Number(DEFAULT_TOP_FACTORS), 0))
    : DEFAULT_TOP_FACTORS;
  const ortThreads = process.argv.some((a) => a.startsWith('--ort-threads'))
    ? numberOption('ort-threads', 1)
    : undefined;
  console.log(
    `bench:inference — node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GB [${load()}]`,
  );
  const cleanup = new Cleanup();
  try {
    // Infrastructure.
    const kafka = await startKafkaMockCluster();
    cleanup.add('kafka mock cluster', () => kafka.stop());
    const db = await createTestDatabase('pulse_bench_inference');
    cleanup.add(`database ${db.name}`, () => db.drop());
    const storage = await initStorage({ url: db.url });
    cleanup.add('storage', () => storage.close());
    const redisPrefix = randomRedisPrefix('pulse-bench-inference');
    const redis = new Redis(testRedisUrl());
    cleanup.add('redis keys', async () => {
      let deleted = 0;
      for await (const keys of redis.scanStream({ match: `${redisPrefix}*`, count: 1000 }) as AsyncIterable<string[]>)
        if (keys.length > 0) deleted += await redis.unlink(...keys);
      redis.disconnect();
      return deleted;
    });
    const store = new RedisOnlineStore({ redis, keyPrefix: redisPrefix });
    const featureRegistry = learningEngagementRegistry();
    const compiled = compileModelSpec(DEFAULT_MODELS[MODEL], featureRegistry);
    const models = new ModelRegistryRepository(storage.dataSource);
    console.log(`kafka mock cluster ${kafka.bootstrap}; database ${db.name}; redis prefix ${redisPrefix}`);

    // 0. Data.
    console.log(
      `\n0. training ${MODEL} (its spec's parameters) on ${int(o.trainLearners)} learners x ${o.trainDays} days...`,
    );
    let t0 = performance.now();
    const trained = await trainChampion(models, featureRegistry, {
      learners: o.trainLearners,
      days: o.trainDays,
      startMs: TRAIN_START_MS,
    });
    const version = trained.version!.version;
    console.log(
      `champion: version ${version}, ${trained.candidate.gbdt.trees.length} trees, ${compiled.featureNames.length} inputs, test AUC ${trained.candidate.evaluation.metrics.auc?.toFixed(4)}; ${((performance.now() - t0) / 1000).toFixed(1)} s [${load()}]`,
    );
    const stream = new LiveStream({ learners: o.learners, days: o.days, startMs: START_MS });
    const preloadUntil = START_MS + o.preloadDays * DAY_MS;
    t0 = performance.now();
    const loaded = await preload(stream, preloadUntil, storage, store, featureRegistry);
    console.log(
      `preloaded ${int(loaded.events)} events of ${int(loaded.entities.length)} learners (${o.preloadDays} days) into the event log and the online states in ${((performance.now() - t0) / 1000).toFixed(1)} s [${load()}]`,
    );

    // The services.
    const topics = {
      dlq: randomName('bench-dlq'),
      lifecycle: randomName('bench-lifecycle'),
      prefix: `${randomName('bench-predictions')}.`,
    };
    const services = new BenchServices(
      {
        ...(process.env as Record<string, string>),
        KAFKA_BROKERS: kafka.bootstrap,
        KAFKA_IDEMPOTENT: 'false',
        // The mock broker answers a fetch that finds nothing at once only when its wait runs out (a real
        // broker answers as soon as data arrives): every hop would wait up to this. 10 ms is the least.
        KAFKA_MAX_WAIT_MS: String(o.maxWaitMs),
        DATABASE_URL: db.url,
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: redisPrefix,
        DLQ_TOPIC: topics.dlq,
        LIFECYCLE_TOPIC: topics.lifecycle,
        PREDICTIONS_TOPIC_PREFIX: topics.prefix,
        // Each events topic is a run's own: its beginning is the run's first event.
        INFERENCE_FROM_BEGINNING: 'true',
        INFERENCE_MODELS: MODEL,
        SIMULATOR: 'false',
        LOG_LEVEL: 'warn',
        // --profile: each service writes a V8 CPU profile of its main thread when it stops;
        // --ort-threads N: inference-service's onnxruntime sessions get N intra-op threads.
        NODE_OPTIONS: [
          ...(flag('profile') ? [`--require ${path.join(__dirname, 'cpu-profile.preload.js')}`] : []),
          ...(ortThreads ? [`--require ${path.join(__dirname, 'ort-threads.preload.js')}`] : []),
        ].join(' '),
        PULSE_BENCH_PROFILE_DIR: PROFILE_DIR,
        PULSE_BENCH_ORT_THREADS: String(ortThreads ?? ''),
      },
      MODEL,
      version,
    );
    cleanup.add('services', () => services.stop());
    await services.start(randomName('bench-events'), httpFactors);
    console.log(
      `feature-service (pid ${services.feature!.pid}) and inference-service (pid ${services.inference!.pid}, INFERENCE_TOP_FACTORS=${httpFactors}${ortThreads ? `, onnxruntime intra-op threads ${ortThreads}` : ''}) started, champion version ${version} serving [${load()}]`,
    );
    const cpu = new CpuMeter(() => ({
      'feature-service': services.feature?.pid,
      'inference-service': services.inference?.pid,
      'kafka mock': kafka.pid,
      bench: process.pid,
    }));
    const inferenceThreads = new ThreadMeter(() => services.inference?.pid);

    // The references' session and the batch scorer's version, from the registry as the service loads it.
    const record = await models.getVersion(MODEL, version, { withArtifacts: true });
    const onnx = record.artifacts!.onnx;
    const bare = await BareSession.create(onnx, record.signature.inputName, compiled.featureNames.length);
    cleanup.add('bare session', () => bare.release());
    const servable: ServableModel = await loadServableModel(
      {
        model: MODEL,
        version,
        task: record.task,
        signature: record.signature,
        testSample: record.testSample,
        onnx,
        onnxSha256: record.onnxSha256,
        modelJson: record.artifacts!.modelJson,
        modelJsonSha256: record.modelJsonSha256,
      },
      { featureNames: compiled.featureNames },
    );
    cleanup.add('servable', () => servable.close());
    const sampleRows = record.testSample.rows.map((r) => Float32Array.from(r, (v) => v ?? NaN));

    // 1. HTTP.
    let http: HttpPhaseResult | undefined;
    let bareSingle: Latencies | undefined;
    if (!flag('no-http')) {
      console.log(
        `\n1. HTTP POST /v1/predict/${MODEL}: reference first, a bare onnxruntime session one row per call...`,
      );
      bareSingle = await bare.singleRows(sampleRows, 5000);
      console.log(
        `bare onnxruntime-node session.run, one row: p50 ${(bareSingle.p50 * 1000).toFixed(1)} µs, p99 ${(bareSingle.p99 * 1000).toFixed(1)} µs (n=${int(bareSingle.n)}) [${load()}]`,
      );
      console.log(
        `paced ${o.httpRate} requests/s for ${o.httpSeconds} s (open loop, after ${int(o.httpRate * 2)} warm-up requests), features read online...`,
      );
      cpu.begin();
      inferenceThreads.begin();
      http = await httpPhase({
        url: services.inferenceUrl,
        model: MODEL,
        learners: loaded.entities,
        rate: o.httpRate,
        seconds: o.httpSeconds,
        warmupRequests: o.httpRate * 2,
      });
      const usage = cpu.end();
      const threads = inferenceThreads.end();
      console.log(
        `${int(http.requests)} requests in ${http.seconds.toFixed(1)} s (${(http.requests / http.seconds).toFixed(0)}/s; send lag p99 ${ms(http.sendLagP99)} ms), ${http.failed} failed${http.firstFailure ? ` (${http.firstFailure})` : ''}, ${http.fallbacks} fallbacks; feature rows read online ${int(http.reads.online)}, replayed ${int(http.reads.offline)}`,
      );
      console.log(`server, each answer's latencyMs (request parsed -> prediction ready): ${describeMs(http.handler)}`);
      console.log(
        `server, pulse_http_request_duration_seconds (arrival -> response written): ${describeHistogram(http.serverHistogram, 0.005)}`,
      );
      console.log(
        `server, pulse_inference_latency_seconds{path=http}: ${describeHistogram(http.inferenceHistogram, 0.005)}`,
      );
      console.log(`client (send -> last byte, loopback, keep-alive): ${describeMs(http.client)}`);
      console.log(`${usage}; inference-service's threads: ${threads} [${load()}]`);
    }

    // 2. Kafka.
    const kafkaRuns: KafkaFigure[] = [];
    let hop: Latencies | undefined;
    if (!flag('no-kafka')) {
      console.log(
        `\n2. Kafka: trigger (lesson_sent) produced -> prediction read off ${topics.prefix}${MODEL}.v1, at ${int(o.triggerRate)} triggers/s for ${o.kafkaSeconds} s`,
      );
      const bus = createBus({
        brokers: kafka.bootstrap.split(','),
        kafka: {
          clientId: 'bench-inference',
          idempotent: false,
          // As the services (their defaults): a member busy for a few seconds under load is not evicted.
          sessionTimeoutMs: 10_000,
          heartbeatIntervalMs: 1000,
          maxWaitTimeMs: o.maxWaitMs,
        },
      });
      cleanup.add('bench bus', () => bus.close());
      const publisher = bus.createPublisher();
      const watcher = await PredictionWatcher.start(bus, `${topics.prefix}${MODEL}.v1`);
      cleanup.add('predictions reader', () => watcher.stop());
      const runOnce = async (factors: string, rate: number): Promise<KafkaFigure> => {
        const warm = nextTriggers(stream, WARMUP_TRIGGERS);
        await kafkaRun({
          publisher,
          topic: services.eventsTopic,
          events: warm.events,
          rate,
          watcher,
          inferenceUrl: services.inferenceUrl,
          waitMs: 60_000,
          lingerMs: o.lingerMs,
        });
        await sleep(2000);
        const batch = nextTriggers(stream, Math.round(rate * o.kafkaSeconds));
        console.log(
          `INFERENCE_TOP_FACTORS=${factors}, ${int(rate)} triggers/s: producing ${int(batch.events.length)} events (${int(batch.triggers)} triggers; after ${int(warm.triggers)} warm-up triggers)... [${load()}]`,
        );
        cpu.begin();
        inferenceThreads.begin();
        const run = await kafkaRun({
          publisher,
          topic: services.eventsTopic,
          events: batch.events,
          rate,
          watcher,
          inferenceUrl: services.inferenceUrl,
          waitMs: 30_000,
          lingerMs: o.lingerMs,
        });
        const usage = `${cpu.end()}; inference-service's threads: ${inferenceThreads.end()}`;
        console.log(
          `sent ${int(run.triggers)} triggers / ${int(run.events)} events in ${run.seconds.toFixed(1)} s (${int(run.triggerRate)} triggers/s, ${int(run.eventRate)} events/s); last prediction ${ms(run.drainMs)} ms after the last send; ${run.missing} missing, ${run.fallbacks} fallbacks, ${watcher.unexpected} unexpected so far`,
        );
        console.log(`trigger -> prediction consumed: ${describeMs(run.latency)}`);
        console.log(`of which the prediction's record produced -> read here: ${describeMs(run.lastHop)}`);
        console.log(
          `in inference-service: waiting for feature-service's fold ${describeHistogram(run.featureWait, 0.005)}, ${run.featureWaitTimeouts} timeouts; trigger received -> published ${describeHistogram(run.publish, 0.05)}`,
        );
        console.log(`${usage} [${load()}]`);
        return { factors, rate, run, cpu: usage };
      };
      const firstWarm = nextTriggers(stream, WARMUP_TRIGGERS);
      console.log('reference: one raw Kafka hop on the same brokers at the same pace, 5 s...');
      hop = await rawHop(bus, firstWarm.events, o.triggerRate, 5);
      console.log(`raw hop produce -> consume: ${describeMs(hop)} [${load()}]`);
      if (httpFactors !== DEFAULT_TOP_FACTORS) await services.start(randomName('bench-events'), DEFAULT_TOP_FACTORS);
      kafkaRuns.push(await runOnce(DEFAULT_TOP_FACTORS, o.triggerRate));
      if (kafkaRuns[0].run.latency.p99 > TARGET_KAFKA_P99_MS || flag('both-factor-runs')) {
        console.log(
          'restarting both services on a fresh events topic, inference-service with INFERENCE_TOP_FACTORS=0...',
        );
        await services.start(randomName('bench-events'), '0');
        kafkaRuns.push(await runOnce('0', o.triggerRate));
      }
      // For information: the same path at paces below the target's, where the services may keep up.
      for (const rate of extraRates) {
        console.log(
          `restarting both services on a fresh events topic (INFERENCE_TOP_FACTORS=${DEFAULT_TOP_FACTORS}) for ${int(rate)} triggers/s...`,
        );
        await services.start(randomName('bench-events'), DEFAULT_TOP_FACTORS);
        kafkaRuns.push(await runOnce(DEFAULT_TOP_FACTORS, rate));
      }
    }

    // 3. Batch, in this process alone: the services are not needed (nor let to work off a backlog meanwhile).
    await services.stop();
    let batch: BatchPhaseResult | undefined;
    if (!flag('no-batch')) {
      console.log(
        `\n3. batch scoring (scoreEntities) of ${int(loaded.entities.length)} learners as of now, chunks of ${int(o.chunk)}, best of ${o.passes} passes...`,
      );
      const reader = new FeatureReader({ store, events: storage.eventLog, registry: featureRegistry });
      cpu.begin();
      batch = await batchPhase({
        compiled,
        servable,
        bare,
        reader,
        entities: loaded.entities,
        atMs: Date.now(),
        replayAtMs: preloadUntil - DAY_MS,
        chunk: o.chunk,
        passes: o.passes,
      });
      console.log(
        `end to end (Redis read, decode, evaluate, vector, onnxruntime, outcomes): best ${int(batch.endToEnd.best)} rows/s, median ${int(batch.endToEnd.median)} rows/s (${int(batch.endToEnd.online)} rows online)`,
      );
      console.log(
        `of which the feature reads alone (FeatureReader.readColumns: Redis, state decode, view evaluation): ${int(batch.readsOnly)} rows/s; the scoring with the reads done beforehand (vector function, onnxruntime, outcomes): ${int(batch.scoringOnly)} rows/s`,
      );
      console.log(
        `bare onnxruntime session on the same rows, same chunks: ${int(batch.bareOrt)} rows/s; largest score difference to the batch ${batch.maxDifference.toExponential(2)}`,
      );
      console.log(
        `as of a day before the preload's end, every row replayed from the Postgres log: ${int(batch.replayed.rowsPerSecond)} rows/s (${int(batch.replayed.offline)} replayed)`,
      );
      console.log(`${cpu.end()} [${load()}]`);
    }

    // Summary.
    const verdict = (met: boolean) => (met ? 'MET' : 'NOT MET');
    const rows: string[][] = [['figure', 'measured', 'reference (same run)', 'target', 'verdict']];
    if (http && bareSingle) {
      const serverP99 = percentileBound(http.serverHistogram, 99);
      rows.push(
        [
          `HTTP POST /v1/predict at ${o.httpRate}/s, INFERENCE_TOP_FACTORS=${httpFactors}, server: request parsed -> prediction ready`,
          `p50 ${ms(http.handler.p50)} ms, p99 ${ms(http.handler.p99)} ms`,
          `bare ORT one row p50 ${(bareSingle.p50 * 1000).toFixed(0)} µs, p99 ${(bareSingle.p99 * 1000).toFixed(0)} µs`,
          `p99 <= ${TARGET_HTTP_P99_MS} ms`,
          verdict(http.handler.p99 <= TARGET_HTTP_P99_MS && http.failed === 0),
        ],
        [
          'HTTP, server: arrival -> response written (histogram)',
          `p99 <= ${serverP99} ms; ${(100 * shareAtMost(http.serverHistogram, 0.005)).toFixed(2)} % <= 5 ms`,
          '',
          `p99 <= ${TARGET_HTTP_P99_MS} ms`,
          verdict(shareAtMost(http.serverHistogram, 0.005) >= 0.99),
        ],
        [
          'HTTP, client: send -> last byte',
          `p50 ${ms(http.client.p50)} ms, p99 ${ms(http.client.p99)} ms`,
          '',
          '-',
          '',
        ],
      );
    }
    for (const k of kafkaRuns) {
      const judged = k.rate === o.triggerRate;
      rows.push([
        `Kafka trigger -> prediction, asked ${int(k.rate)} triggers/s, sent ${int(k.run.triggerRate)}/s (${int(k.run.eventRate)} events/s), INFERENCE_TOP_FACTORS=${k.factors}${k.factors === DEFAULT_TOP_FACTORS ? ' (default)' : ''}${judged ? '' : ' (information)'}`,
        `p50 ${ms(k.run.latency.p50)} ms, p99 ${ms(k.run.latency.p99)} ms${k.run.missing ? `, ${int(k.run.missing)} of ${int(k.run.triggers)} not within 30 s` : ''}`,
        hop ? `raw Kafka hop p50 ${ms(hop.p50)} ms, p99 ${ms(hop.p99)} ms` : '-',
        judged ? `p99 <= ${TARGET_KAFKA_P99_MS} ms at ${int(o.triggerRate)}/s` : '-',
        judged
          ? verdict(
              k.run.latency.p99 <= TARGET_KAFKA_P99_MS && k.run.missing === 0 && k.run.triggerRate >= 0.95 * k.rate,
            )
          : '',
      ]);
    }
    if (batch)
      rows.push(
        [
          `batch scoring (scoreEntities), ${int(batch.entities)} learners, features read online (Redis), chunks of ${int(batch.chunk)}`,
          `${int(batch.endToEnd.best)} rows/s (median ${int(batch.endToEnd.median)})`,
          `bare ORT ${int(batch.bareOrt)} rows/s; the reads alone ${int(batch.readsOnly)} rows/s`,
          `>= ${int(TARGET_BATCH_ROWS_PER_S)} rows/s`,
          verdict(batch.endToEnd.best >= TARGET_BATCH_ROWS_PER_S),
        ],
        [
          'batch scoring, the same rows with the reads done beforehand',
          `${int(batch.scoringOnly)} rows/s`,
          `bare ORT ${int(batch.bareOrt)} rows/s`,
          `>= ${int(TARGET_BATCH_ROWS_PER_S)} rows/s`,
          verdict(batch.scoringOnly >= TARGET_BATCH_ROWS_PER_S),
        ],
        [
          'batch scoring, every row replayed from the Postgres log',
          `${int(batch.replayed.rowsPerSecond)} rows/s`,
          '',
          '-',
          '',
        ],
      );
    console.log(
      `\nsummary [${load()}; load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}]`,
    );
    printTable(rows);
  } finally {
    await cleanup.run();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
