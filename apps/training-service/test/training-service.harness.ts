import type { INestApplication } from '@nestjs/common';
import { createBus, type BusMessage, type MessageBus, type Subscription } from '@pulse/bus';
import type { EngagementEvent } from '@pulse/contracts';
import { loadConfig } from '@pulse/nest-common';
import { createSimulation } from '@pulse/simulator';
import { initStorage, ModelRegistryRepository, type Storage, type TrainingJob } from '@pulse/storage';
import {
  createTestDatabase,
  ensureBuilt,
  kafkaTestBusOptions,
  randomName,
  waitFor,
  type TestDatabase,
} from '@pulse/testing';
import {
  createTrainingServiceApp,
  loadTrainingServiceConfig,
  type TrainingServiceConfig,
} from '@pulse/training-service';
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import path from 'node:path';
import { Registry } from 'prom-client';

const execFileAsync = promisify(execFile);

export const ADMIN_TOKEN = 'admin-token-for-ana';
export const READ_TOKEN = 'read-token-for-ci';
export const API_TOKENS = `ana:${ADMIN_TOKEN},ci:${READ_TOKEN}:read`;

/** The simulated logs the tests train on: small enough for seconds of training, large enough to pass min rows. */
export interface SimulatedLog {
  readonly learners: number;
  readonly days: number;
  readonly seed: number;
  /** Leaves the profile attributes out: the fairness gates then have one group each (and pass). */
  readonly withoutProfiles?: boolean;
}

/**
 * training-service on real infrastructure for one test file: the Kafka mock cluster (random topics and
 * group), a throwaway Postgres database holding a simulated event log (appended with the storage
 * EventLogRepository, as feature-service would have), and the built worker thread.
 */
export class TrainingServiceHarness {
  readonly topics = {
    requests: randomName('training-requests'),
    dlq: randomName('training-dlq'),
    lifecycle: randomName('lifecycle'),
  };
  readonly group = randomName('training-service');
  readonly bus: MessageBus = createBus({
    brokers: kafkaTestBusOptions().brokers,
    kafka: { ...kafkaTestBusOptions(), clientId: 'training-e2e' },
  });
  readonly dlqMessages: BusMessage[] = [];
  readonly lifecycleMessages: BusMessage[] = [];
  storage!: Storage;
  registry!: ModelRegistryRepository;
  db?: TestDatabase;
  private readonly subscriptions: Subscription[] = [];
  private readonly apps: INestApplication[] = [];

  async setUp(log: SimulatedLog): Promise<void> {
    // The worker thread runs the compiled lib: build what changed.
    await ensureBuilt(trainingWorkerEntryPath());
    this.db = await createTestDatabase('pulse_ts_e2e');
    this.storage = await initStorage({ url: this.db.url, poolSize: 4 });
    this.registry = new ModelRegistryRepository(this.storage.dataSource);
    await appendSimulation(this.storage, log);
    for (const [topic, into] of [
      [this.topics.dlq, this.dlqMessages],
      [this.topics.lifecycle, this.lifecycleMessages],
    ] as const) {
      this.subscriptions.push(
        await this.bus.subscribe({
          groupId: randomName('reader'),
          topics: [topic],
          fromBeginning: true,
          handler: async (batch) => void into.push(...batch),
        }),
      );
    }
  }

  config(env: Record<string, string> = {}): TrainingServiceConfig {
    const kafka = kafkaTestBusOptions();
    return loadConfig({
      load: loadTrainingServiceConfig,
      env: { ...this.env(), KAFKA_BROKERS: kafka.brokers.join(','), ...env },
    });
  }

  /** The service's environment (for a child process too); KAFKA_BROKERS included. */
  env(): Record<string, string> {
    const kafka = kafkaTestBusOptions();
    return {
      PORT: '0',
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_IDEMPOTENT: 'false',
      KAFKA_SESSION_TIMEOUT_MS: String(kafka.sessionTimeoutMs),
      KAFKA_HEARTBEAT_INTERVAL_MS: String(kafka.heartbeatIntervalMs),
      KAFKA_MAX_WAIT_MS: String(kafka.maxWaitTimeMs),
      DATABASE_URL: this.db!.url,
      TRAINING_REQUESTS_TOPIC: this.topics.requests,
      TRAINING_REQUESTS_DLQ_TOPIC: this.topics.dlq,
      LIFECYCLE_TOPIC: this.topics.lifecycle,
      TRAINING_CONSUMER_GROUP: this.group,
      TRAINING_POLL_MS: '200',
      LIFECYCLE_POLL_MS: '200',
    };
  }

  async start(env: Record<string, string> = {}): Promise<{ app: INestApplication; url: string; registry: Registry }> {
    const registry = new Registry();
    const app = await createTrainingServiceApp(this.config(env), { registry, logger: false });
    await app.listen(0, '127.0.0.1');
    this.apps.push(app);
    const { port } = app.getHttpServer().address() as AddressInfo;
    return { app, url: `http://127.0.0.1:${port}`, registry };
  }

  /** Polls the job until it has ended; fails the test if it failed. */
  async finished(id: string, timeoutMs = 120_000): Promise<TrainingJob> {
    const job = await waitFor(
      async () => {
        const j = await this.registry.getJob(id);
        return j.state === 'succeeded' || j.state === 'failed' ? j : null;
      },
      { timeoutMs, intervalMs: 100, message: `job ${id} finished` },
    );
    if (job.state === 'failed') throw new Error(`job ${id} failed: ${job.error}`);
    return job;
  }

  async tearDown(): Promise<void> {
    for (const app of this.apps) await app.close().catch(() => undefined);
    for (const s of this.subscriptions) await s.stop().catch(() => undefined);
    await this.bus.close().catch(() => undefined);
    await this.storage?.close().catch(() => undefined);
    await this.db?.drop();
  }
}

/** Where the compiled worker lives (whether or not it is built yet). */
export function trainingWorkerEntryPath(): string {
  const root = path.resolve(__dirname, '..', '..', '..');
  return path.join(root, 'dist', 'libs', 'training-service', 'jobs', 'training-job.worker.js');
}

/**
 * runTrainingJob called directly on the test database, as the CLI would (trained and evaluated, not
 * registered): its contentSha256. In a child process on the build, since onnxruntime-node (the export
 * check) does not run inside Jest's module sandbox.
 */
export async function directContentSha256(databaseUrl: string, model: string): Promise<string> {
  const dist = path.resolve(__dirname, '..', '..', '..', 'dist', 'libs');
  const script = `
    const { createDataSource, EventLogRepository } = require(${JSON.stringify(`${dist}/storage/index.js`)});
    const { learningEngagementRegistry } = require(${JSON.stringify(`${dist}/features/index.js`)});
    const { DEFAULT_MODELS } = require(${JSON.stringify(`${dist}/models/index.js`)});
    const { eventLogSource, runTrainingJob } = require(${JSON.stringify(`${dist}/training-jobs/index.js`)});
    (async () => {
      const dataSource = createDataSource({ url: process.env.DATABASE_URL, poolSize: 2 });
      await dataSource.initialize();
      const outcome = await runTrainingJob({
        spec: DEFAULT_MODELS[process.env.MODEL],
        featureRegistry: learningEngagementRegistry(),
        source: await eventLogSource(dataSource, new EventLogRepository(dataSource)),
        actor: 'direct',
      });
      await dataSource.destroy();
      process.stdout.write(outcome.candidate.contentSha256);
    })().catch((err) => { console.error(err); process.exit(1); });`;
  const { stdout } = await execFileAsync(process.execPath, ['-e', script], {
    env: { ...process.env, DATABASE_URL: databaseUrl, MODEL: model },
    maxBuffer: 1 << 20,
  });
  return stdout.trim();
}

/** Appends a deterministic simulation to the event log, as feature-service's ingest would have. */
export async function appendSimulation(storage: Storage, log: SimulatedLog): Promise<number> {
  const simulation = createSimulation({
    seed: log.seed,
    learners: log.learners,
    days: log.days,
    startTimeMs: Date.UTC(2024, 0, 1),
  });
  let batch: EngagementEvent[] = [];
  let appended = 0;
  for (const event of simulation) {
    batch.push(log.withoutProfiles ? withoutProfile(event) : event);
    if (batch.length === 5000) {
      await storage.eventLog.appendMany(batch);
      appended += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) await storage.eventLog.appendMany(batch);
  return appended + batch.length;
}

function withoutProfile(event: EngagementEvent): EngagementEvent {
  const { profile: _profile, ...rest } = event;
  return rest;
}

export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))
    .reduce((sum, v) => sum + v.value, 0);
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

/** A JSON request (body and bearer token optional); the answer's body parsed when it is JSON. */
export async function call(
  url: string,
  method: string,
  options: { body?: unknown; token?: string } = {},
): Promise<Answer> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) body = text === '' ? null : JSON.parse(text);
  return { status: res.status, headers: res.headers, body };
}
