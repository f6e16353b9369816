import type { INestApplication } from '@nestjs/common';
import { createBus, type BusMessage, type MessageBus, type Subscription } from '@pulse/bus';
import {
  CONTENT_TYPE_HEADER,
  decodeModelLifecycle,
  decodePrediction,
  encodeEngagementEvent,
  encodeModelLifecycle,
  type EngagementEvent,
  type ModelLifecycleMessage,
  type PredictionMessage,
} from '@pulse/contracts';
import { createFeatureServiceApp, loadFeatureServiceConfig } from '@pulse/feature-service';
import { learningEngagementRegistry } from '@pulse/features';
import { createInferenceServiceApp, loadInferenceServiceConfig, TriggerConsumer } from '@pulse/inference-service';
import { DEFAULT_MODELS } from '@pulse/models';
import { loadConfig } from '@pulse/nest-common';
import { createSimulation } from '@pulse/simulator';
import { initStorage, ModelRegistryRepository, type NewModelVersion, type Storage } from '@pulse/storage';
import { randomUUID } from 'node:crypto';
import {
  createTestDatabase,
  kafkaTestBusOptions,
  randomName,
  randomRedisPrefix,
  testRedisUrl,
  type TestDatabase,
} from '@pulse/testing';
import { memorySource, runTrainingJob } from '@pulse/training-jobs';
import Redis from 'ioredis';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';

export const DAY_MS = 86_400_000;

/** A simulated learners' stream, in time order, without profile attributes (the fairness gates then pass). */
export function simulatedEvents(seed: number, learners: number, days: number, startTimeMs: number): EngagementEvent[] {
  const out: EngagementEvent[] = [];
  for (const e of createSimulation({ seed, learners, days, startTimeMs })) {
    const { profile: _profile, ...rest } = e;
    out.push(rest);
  }
  return out;
}

/**
 * feature-service and inference-service on real infrastructure for one test file: the Kafka mock
 * cluster (random topics and groups), Redis under a random prefix, a throwaway Postgres database
 * holding the registry with a trained lesson_completion champion.
 */
export class InferenceHarness {
  readonly topics = {
    events: randomName('events'),
    dlq: randomName('events-dlq'),
    lifecycle: randomName('lifecycle'),
    prefix: `${randomName('predictions')}.`,
    experimentChanges: randomName('experiment-changes'),
    exposures: randomName('exposures'),
  };
  readonly groups = { features: randomName('feature-service'), inference: randomName('inference-service') };
  readonly redisPrefix = randomRedisPrefix('pulse-inference');
  readonly bus: MessageBus = createBus({
    brokers: kafkaTestBusOptions().brokers,
    kafka: { ...kafkaTestBusOptions(), clientId: 'inference-e2e' },
  });
  /** Every message read off the lesson_completion predictions topic, decoded. */
  readonly predictions: PredictionMessage[] = [];
  /** Every message read off the lifecycle topic, decoded. */
  readonly lifecycle: ModelLifecycleMessage[] = [];
  storage!: Storage;
  registry!: ModelRegistryRepository;
  db?: TestDatabase;
  private readonly subscriptions: Subscription[] = [];
  private readonly apps: INestApplication[] = [];

  /** A database whose registry holds a lesson_completion champion trained on another simulated stream. */
  async setUp(train: { seed: number; learners: number; days: number }): Promise<void> {
    this.db = await createTestDatabase('pulse_is_e2e');
    this.storage = await initStorage({ url: this.db.url, poolSize: 4 });
    this.registry = new ModelRegistryRepository(this.storage.dataSource);
    const events = simulatedEvents(train.seed, train.learners, train.days, Date.UTC(2024, 0, 1));
    const watermarkMs = events[events.length - 1].eventTimeMs;
    // Grouped by entity, as the event log replays (the order within an entity is kept).
    events.sort((a, b) => (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0));
    const outcome = await runTrainingJob({
      spec: DEFAULT_MODELS.lesson_completion,
      featureRegistry: learningEngagementRegistry(),
      source: memorySource('simulated', events, watermarkMs),
      registry: this.registry,
      actor: 'e2e',
    });
    if (outcome.alias !== 'champion')
      throw new Error(`the trained version is not champion: ${JSON.stringify(outcome.candidate.gates)}`);
    this.subscriptions.push(
      await this.bus.subscribe({
        groupId: randomName('lifecycle-reader'),
        topics: [this.topics.lifecycle],
        fromBeginning: true,
        handler: async (batch: BusMessage[]) => {
          for (const m of batch) this.lifecycle.push(decodeModelLifecycle(m.value, m.headers[CONTENT_TYPE_HEADER]));
        },
      }),
    );
    this.subscriptions.push(
      await this.bus.subscribe({
        groupId: randomName('predictions-reader'),
        topics: [this.predictionsTopic('lesson_completion')],
        fromBeginning: true,
        handler: async (batch: BusMessage[]) => {
          for (const m of batch) this.predictions.push(decodePrediction(m.value, m.headers[CONTENT_TYPE_HEADER]));
        },
      }),
    );
  }

  predictionsTopic(model: string): string {
    return `${this.topics.prefix}${model}.v1`;
  }

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
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: this.redisPrefix,
      ENGAGEMENT_TOPIC: this.topics.events,
      DLQ_TOPIC: this.topics.dlq,
      LIFECYCLE_TOPIC: this.topics.lifecycle,
      PREDICTIONS_TOPIC_PREFIX: this.topics.prefix,
      EXPERIMENT_CHANGES_TOPIC: this.topics.experimentChanges,
      EXPOSURES_TOPIC: this.topics.exposures,
      CONSUMER_GROUP: this.groups.features,
      INFERENCE_CONSUMER_GROUP: this.groups.inference,
      INFERENCE_FROM_BEGINNING: 'true',
      SIMULATOR: 'false',
    };
  }

  async startFeatureService(): Promise<INestApplication> {
    const config = loadConfig({ load: loadFeatureServiceConfig, env: this.env() });
    const app = await createFeatureServiceApp(config, { registry: new Registry(), logger: false });
    await app.listen(0, '127.0.0.1');
    this.apps.push(app);
    return app;
  }

  async startInference(
    env: Record<string, string> = {},
  ): Promise<{ app: INestApplication; url: string; registry: Registry; consumer: TriggerConsumer }> {
    const registry = new Registry();
    const config = loadConfig({ load: loadInferenceServiceConfig, env: { ...this.env(), ...env } });
    const app = await createInferenceServiceApp(config, { registry, logger: false });
    await app.listen(0, '127.0.0.1');
    this.apps.push(app);
    const { port } = app.getHttpServer().address() as AddressInfo;
    return { app, url: `http://127.0.0.1:${port}`, registry, consumer: app.get(TriggerConsumer) };
  }

  /** Publishes events to the events topic keyed by entity (JSON, as a producer would). */
  async publish(events: readonly EngagementEvent[]): Promise<void> {
    const publisher = this.bus.createPublisher();
    for (let i = 0; i < events.length; i += 500) {
      await publisher.publish(
        this.topics.events,
        events.slice(i, i + 500).map((e) => {
          const encoded = encodeEngagementEvent(e, 'json');
          return {
            key: e.entityId,
            value: Buffer.from(encoded.bytes),
            headers: { [CONTENT_TYPE_HEADER]: encoded.contentType },
          };
        }),
      );
    }
  }

  /**
   * Moves an alias in the registry and announces it on the lifecycle topic, as training-service's
   * relay does (no training-service runs in these tests).
   */
  async moveAlias(model: string, alias: string, version: number | null): Promise<void> {
    const move = await this.registry.moveAlias({ model, alias, version, actor: 'e2e', reason: 'test' });
    const event: ModelLifecycleMessage = {
      eventId: randomUUID(),
      model,
      type: 'alias_moved',
      version: version ?? move.fromVersion ?? 1,
      occurredAtMs: Date.now(),
      metrics: {},
      featureNames: [],
      featureViewVersions: {},
      message: '',
      alias,
      ...(move.fromVersion !== null ? { fromVersion: move.fromVersion } : {}),
      ...(version !== null ? { toVersion: version } : {}),
      actor: 'e2e',
    };
    const encoded = encodeModelLifecycle(event, 'json');
    await this.bus
      .createPublisher()
      .publish(this.topics.lifecycle, [
        { key: model, value: encoded.value, headers: { [CONTENT_TYPE_HEADER]: encoded.contentType } },
      ]);
  }

  /** Registers a copy of a version, changed by `change` (a corrupt or different artifact); returns its number. */
  async registerCopy(model: string, version: number, change: (v: NewModelVersion) => NewModelVersion): Promise<number> {
    const r = await this.registry.getVersion(model, version, { withArtifacts: true });
    const copy: NewModelVersion = {
      model,
      specVersion: r.specVersion,
      task: r.task,
      createdBy: 'e2e',
      metrics: r.metrics,
      gates: r.gates,
      signature: r.signature,
      lineage: r.lineage,
      evaluation: r.evaluation,
      reportHtml: r.artifacts!.reportHtml,
      onnx: r.artifacts!.onnx,
      modelJson: r.artifacts!.modelJson,
      testSample: r.testSample,
      contentSha256: randomUUID().replace(/-/g, '').padEnd(64, '0'),
    };
    return (await this.registry.registerVersion(change(copy))).version;
  }

  async close(app: INestApplication): Promise<void> {
    const i = this.apps.indexOf(app);
    if (i >= 0) this.apps.splice(i, 1);
    await app.close();
  }

  async tearDown(): Promise<void> {
    for (const app of this.apps.reverse()) await app.close().catch(() => undefined);
    for (const s of this.subscriptions) await s.stop().catch(() => undefined);
    await this.bus.close().catch(() => undefined);
    await this.storage?.close().catch(() => undefined);
    const redis = new Redis(testRedisUrl());
    try {
      const keys = await redis.keys(`${this.redisPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    await this.db?.drop();
  }
}
