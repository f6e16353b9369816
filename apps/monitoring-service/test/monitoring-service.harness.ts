import type { INestApplication } from '@nestjs/common';
import { createBus, type BusMessage, type MessageBus, type Subscription } from '@pulse/bus';
import {
  CONTENT_TYPE_HEADER,
  encodeEngagementEvent,
  encodePrediction,
  predictionId,
  type EngagementEvent,
  type PredictionMessage,
} from '@pulse/contracts';
import { buildReferenceProfile } from '@pulse/drift';
import { createMonitoringServiceApp, loadMonitoringServiceConfig } from '@pulse/monitoring-service';
import { loadConfig } from '@pulse/nest-common';
import { initStorage, ModelRegistryRepository, type Storage } from '@pulse/storage';
import { createTestDatabase, kafkaTestBusOptions, randomName, type TestDatabase } from '@pulse/testing';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';

/** The input features of the registered version (standard normal in its reference). */
export const HARNESS_FEATURES = ['f1', 'f2', 'f3', 'f4', 'f5'];

/** A seeded uniform draw and a standard-normal one from it (Box–Muller), for reproducible worlds. */
export function seededRandom(seed: number): { rand: () => number; normal: () => number } {
  let s = seed >>> 0;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return { rand, normal: () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand()) };
}

/** A send the world decided: the champion's prediction, and whether the learner completes the lesson. */
export interface Sent {
  readonly prediction: PredictionMessage;
  readonly completes: boolean;
}

/** The champion's prediction (version 1) of one send, with the harness's features as inputs. */
export function championPrediction(p: {
  readonly model: string;
  readonly trigger: string;
  readonly entityId: string;
  readonly contentId: string;
  readonly asOfMs: number;
  readonly score: number;
  readonly inputs: readonly number[];
}): PredictionMessage {
  return {
    predictionId: predictionId(p.model, p.trigger, 'champion'),
    model: p.model,
    modelVersion: 1,
    alias: 'champion',
    variant: 'champion',
    shadow: false,
    entityId: p.entityId,
    triggerEventId: p.trigger,
    contentId: p.contentId,
    asOfMs: p.asOfMs,
    predictedAtMs: p.asOfMs,
    score: p.score,
    label: p.score >= 0.5 ? '1' : '0',
    classProbabilities: { '0': 1 - p.score, '1': p.score },
    riskTier: 'low',
    riskConfidence: 0.5,
    topFactors: [],
    inputs: HARNESS_FEATURES.map((name, j) => ({ name, value: p.inputs[j], stalenessMs: 0 })),
    fallback: false,
    latencyMs: 1,
  };
}

/**
 * The outcomes: a completion 5 h after each send that completes, carrying the learner's fairness
 * groups (the region from the entity id's number: learner-<day>-<n>).
 */
export function outcomes(sent: readonly Sent[]): EngagementEvent[] {
  return sent
    .filter((s) => s.completes)
    .map((s) => ({
      eventId: `done-${s.prediction.triggerEventId}`,
      entityId: s.prediction.entityId,
      eventType: 'lesson_completed',
      eventTimeMs: s.prediction.asOfMs + 5 * 3_600_000,
      channel: 'email',
      contentId: s.prediction.contentId!,
      attributes: {},
      profile: {
        region: Number(s.prediction.entityId.split('-')[2]) % 2 ? 'north' : 'south',
        role: 'student',
      } as never,
    }));
}

/**
 * monitoring-service on real infrastructure for one test file, as its e2e spec runs it: the Kafka
 * mock cluster (its own predictions prefix, events, alerts and training topics and group), a
 * throwaway Postgres database holding one registered version of the model with a reference profile.
 */
export class MonitoringServiceHarness {
  readonly topics = {
    prefix: `${randomName('predictions')}.`,
    events: randomName('events'),
    alerts: randomName('alerts'),
    training: randomName('training-requests'),
  };
  readonly group = randomName('monitoring');
  readonly bus: MessageBus;
  storage!: Storage;
  db?: TestDatabase;
  private readonly apps: INestApplication[] = [];
  private readonly subscriptions: Subscription[] = [];

  /** `purpose` names the spec's database, Kafka client and registered version (default deploy). */
  constructor(
    readonly model: string,
    readonly purpose = 'deploy',
  ) {
    this.bus = createBus({
      brokers: kafkaTestBusOptions().brokers,
      kafka: { ...kafkaTestBusOptions(), clientId: `monitoring-${purpose}` },
    });
  }

  predictionsTopic(): string {
    return `${this.topics.prefix}${this.model}.v1`;
  }

  /** The database, the publisher, and version 1 of the model: `reference` rows, its training AUC. */
  async setUp(reference: readonly number[][], trainingAuc: number): Promise<void> {
    this.db = await createTestDatabase(`pulse_ms_${this.purpose}`);
    this.storage = await initStorage({ url: this.db.url, poolSize: 4 });
    const scores = reference.map((x) => 1 / (1 + Math.exp(-(x[0] - 0.5 * x[1]))));
    await new ModelRegistryRepository(this.storage.dataSource).registerVersion({
      model: this.model,
      specVersion: 1,
      task: 'binary',
      createdBy: `${this.purpose}-spec`,
      trainingJobId: null,
      metrics: { auc: trainingAuc },
      gates: [],
      signature: {
        inputName: 'input',
        inputs: HARNESS_FEATURES.map((name, index) => ({ name, type: 'float', index })),
        outputs: [{ name: 'probabilities', type: 'float', shape: ['N', 2] }],
      },
      lineage: {},
      evaluation: {},
      reportHtml: `<p>${this.purpose}</p>`,
      onnx: Buffer.from([1, 2, 3]),
      modelJson: '{}',
      testSample: { rows: [], scores: [] },
      referenceProfile: {
        rows: reference.length,
        features: Object.fromEntries(
          HARNESS_FEATURES.map((f, j) => [
            f,
            buildReferenceProfile(
              reference.map((x) => x[j]),
              { kind: 'numeric' },
            ),
          ]),
        ),
        score: buildReferenceProfile(scores, { kind: 'numeric', edges: Array.from({ length: 21 }, (_, i) => i / 20) }),
      },
      contentSha256: 'b'.repeat(64),
    });
    await this.bus.connectPublisher();
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    const kafka = kafkaTestBusOptions();
    return {
      PORT: '0',
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_IDEMPOTENT: 'false',
      KAFKA_SESSION_TIMEOUT_MS: String(kafka.sessionTimeoutMs),
      KAFKA_HEARTBEAT_INTERVAL_MS: String(kafka.heartbeatIntervalMs),
      KAFKA_MAX_WAIT_MS: String(kafka.maxWaitTimeMs),
      DATABASE_URL: this.db!.url,
      PREDICTIONS_TOPIC_PREFIX: this.topics.prefix,
      ENGAGEMENT_TOPIC: this.topics.events,
      MONITORING_ALERTS_TOPIC: this.topics.alerts,
      TRAINING_REQUESTS_TOPIC: this.topics.training,
      MONITORING_CONSUMER_GROUP: this.group,
      MONITORING_MODELS: this.model,
      MONITORING_WINDOWS: '1d',
      MONITORING_LABEL_LATENESS_MS: '0',
      MONITORING_EVALUATE_MS: '200',
      MONITORING_MIN_LABELLED: '100',
      MONITORING_MIN_PREDICTIONS: '100',
      ...extra,
    };
  }

  async start(extra: Record<string, string> = {}): Promise<{ app: INestApplication; url: string }> {
    const config = loadConfig({ load: loadMonitoringServiceConfig, env: this.env(extra) });
    const app = await createMonitoringServiceApp(config, { registry: new Registry(), logger: false });
    await app.listen(0, '127.0.0.1');
    this.apps.push(app);
    const { port } = app.getHttpServer().address() as AddressInfo;
    return { app, url: `http://127.0.0.1:${port}` };
  }

  /** Closes one started copy (tearDown closes the others). */
  async stop(app: INestApplication): Promise<void> {
    await app.close();
    this.apps.splice(this.apps.indexOf(app), 1);
  }

  /** Every message of a topic from its beginning, decoded, as it arrives (read by a group of its own). */
  async collect<T>(topic: string, decode: (message: BusMessage) => T): Promise<T[]> {
    const into: T[] = [];
    this.subscriptions.push(
      await this.bus.subscribe({
        groupId: randomName('reader'),
        topics: [topic],
        fromBeginning: true,
        handler: async (batch) => void batch.forEach((m) => into.push(decode(m))),
      }),
    );
    return into;
  }

  async publishPredictions(predictions: readonly PredictionMessage[]): Promise<void> {
    const publisher = this.bus.createPublisher();
    for (let i = 0; i < predictions.length; i += 200)
      await publisher.publish(
        this.predictionsTopic(),
        predictions.slice(i, i + 200).map((p) => {
          const encoded = encodePrediction(p, 'json');
          return { key: p.entityId, value: encoded.value, headers: { [CONTENT_TYPE_HEADER]: encoded.contentType } };
        }),
      );
  }

  async publishEvents(events: readonly EngagementEvent[]): Promise<void> {
    const publisher = this.bus.createPublisher();
    for (let i = 0; i < events.length; i += 500)
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

  async tearDown(): Promise<void> {
    for (const app of this.apps) await app.close().catch(() => undefined);
    for (const s of this.subscriptions) await s.stop().catch(() => undefined);
    await this.bus.close().catch(() => undefined);
    await this.storage?.close().catch(() => undefined);
    await this.db?.drop();
  }
}
