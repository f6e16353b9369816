import type { INestApplication } from '@nestjs/common';
import { createBus, type BusMessage, type MessageBus, type Subscription } from '@pulse/bus';
import {
  CONTENT_TYPE_HEADER,
  decodeMonitoringAlert,
  decodeTrainingRequest,
  encodeEngagementEvent,
  encodePrediction,
  predictionId,
  type EngagementEvent,
  type MonitoringAlertMessage,
  type PredictionMessage,
  type TrainingRequestMessage,
} from '@pulse/contracts';
import { buildReferenceProfile } from '@pulse/drift';
import { auc } from '@pulse/ml-metrics';
import {
  createMonitoringServiceApp,
  loadMonitoringServiceConfig,
  PredictionConsumer,
  type ModelMonitoringView,
} from '@pulse/monitoring-service';
import { loadConfig } from '@pulse/nest-common';
import { initStorage, ModelRegistryRepository, type Storage } from '@pulse/storage';
import { createTestDatabase, kafkaTestBusOptions, randomName, waitFor, type TestDatabase } from '@pulse/testing';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';

/**
 * monitoring-service on real Postgres and the Kafka mock: predictions and outcome events in, a drift
 * introduced on day 2 → a drift alert for that day's window and a retraining request; labels joined
 * exactly once (a consumer killed mid-stream, then everything re-read by a fresh group, changes no
 * count); windowed AUC equals the metrics lib's on the same rows; the CBPE estimate is near the
 * realised AUC before the drift.
 */
const MODEL = 'lesson_completion';
const DAY = 86_400_000;
const D0 = Date.UTC(2026, 0, 5);
const FEATURES = ['f1', 'f2', 'f3', 'f4', 'f5'];
const topics = {
  prefix: `${randomName('predictions')}.`,
  events: randomName('events'),
  alerts: randomName('alerts'),
  training: randomName('training-requests'),
};
const group = randomName('monitoring');
const bus: MessageBus = createBus({
  brokers: kafkaTestBusOptions().brokers,
  kafka: { ...kafkaTestBusOptions(), clientId: 'monitoring-e2e' },
});
let db: TestDatabase;
let storage: Storage;
const apps: INestApplication[] = [];
const subscriptions: Subscription[] = [];
const alerts: MonitoringAlertMessage[] = [];
const requests: TrainingRequestMessage[] = [];

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const rand = lcg(17);
const normal = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

function env(extra: Record<string, string> = {}): Record<string, string> {
  const kafka = kafkaTestBusOptions();
  return {
    PORT: '0',
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_IDEMPOTENT: 'false',
    KAFKA_SESSION_TIMEOUT_MS: String(kafka.sessionTimeoutMs),
    KAFKA_HEARTBEAT_INTERVAL_MS: String(kafka.heartbeatIntervalMs),
    KAFKA_MAX_WAIT_MS: String(kafka.maxWaitTimeMs),
    DATABASE_URL: db.url,
    PREDICTIONS_TOPIC_PREFIX: topics.prefix,
    ENGAGEMENT_TOPIC: topics.events,
    MONITORING_ALERTS_TOPIC: topics.alerts,
    TRAINING_REQUESTS_TOPIC: topics.training,
    MONITORING_CONSUMER_GROUP: group,
    MONITORING_MODELS: MODEL,
    MONITORING_WINDOWS: '1d',
    MONITORING_LABEL_LATENESS_MS: '0',
    MONITORING_EVALUATE_MS: '200',
    MONITORING_MIN_LABELLED: '100',
    MONITORING_MIN_PREDICTIONS: '100',
    ...extra,
  };
}

async function start(extra: Record<string, string> = {}): Promise<{ app: INestApplication; url: string }> {
  const config = loadConfig({ load: loadMonitoringServiceConfig, env: env(extra) });
  const app = await createMonitoringServiceApp(config, { registry: new Registry(), logger: false });
  await app.listen(0, '127.0.0.1');
  apps.push(app);
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

// The world: five standard-normal inputs; on day 2 every input shifts by 1.5. The score is a calibrated
// probability, and the learner completes the lesson (within 48 h) with that probability.
interface Sent {
  prediction: PredictionMessage;
  completes: boolean;
}
function day(d: number, n: number, shift: number): Sent[] {
  return Array.from({ length: n }, (_, i) => {
    const asOfMs = D0 + d * DAY + Math.floor((i / n) * DAY);
    const x = FEATURES.map(() => normal() + shift);
    const z = x[0] - 0.5 * x[1] + 0.3 * normal();
    const score = 1 / (1 + Math.exp(-z));
    const trigger = `send-${d}-${i}`;
    return {
      completes: rand() < score,
      prediction: {
        predictionId: predictionId(MODEL, trigger, 'champion'),
        model: MODEL,
        modelVersion: 1,
        alias: 'champion',
        variant: 'champion',
        shadow: false,
        entityId: `learner-${d}-${i % 200}`,
        triggerEventId: trigger,
        contentId: `lesson-${d}-${i}`,
        asOfMs,
        predictedAtMs: asOfMs,
        score,
        label: score >= 0.5 ? '1' : '0',
        classProbabilities: { '0': 1 - score, '1': score },
        riskTier: 'low',
        riskConfidence: 0.5,
        topFactors: [],
        inputs: FEATURES.map((name, j) => ({ name, value: x[j], stalenessMs: 0 })),
        fallback: false,
        latencyMs: 1,
      },
    };
  });
}

async function publishPredictions(sent: readonly Sent[]): Promise<void> {
  const publisher = bus.createPublisher();
  for (let i = 0; i < sent.length; i += 200)
    await publisher.publish(
      `${topics.prefix}${MODEL}.v1`,
      sent.slice(i, i + 200).map(({ prediction: p }) => {
        const encoded = encodePrediction(p, 'json');
        return { key: p.entityId, value: encoded.value, headers: { [CONTENT_TYPE_HEADER]: encoded.contentType } };
      }),
    );
}

async function publishEvents(events: readonly EngagementEvent[]): Promise<void> {
  const publisher = bus.createPublisher();
  for (let i = 0; i < events.length; i += 500)
    await publisher.publish(
      topics.events,
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

/** The outcomes: a completion 5 h after each send that completes (and a region profile for fairness). */
function outcomes(sent: readonly Sent[]): EngagementEvent[] {
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

beforeAll(async () => {
  db = await createTestDatabase('pulse_ms_e2e');
  storage = await initStorage({ url: db.url, poolSize: 4 });
  // The serving version: its reference is the day-0 world, its training AUC 0.8.
  const reference = Array.from({ length: 5000 }, () => FEATURES.map(() => normal()));
  const refScores = reference.map((x) => 1 / (1 + Math.exp(-(x[0] - 0.5 * x[1]))));
  await new ModelRegistryRepository(storage.dataSource).registerVersion({
    model: MODEL,
    specVersion: 1,
    task: 'binary',
    createdBy: 'e2e',
    trainingJobId: null,
    metrics: { auc: 0.8 },
    gates: [],
    signature: {
      inputName: 'input',
      inputs: FEATURES.map((name, index) => ({ name, type: 'float', index })),
      outputs: [{ name: 'probabilities', type: 'float', shape: ['N', 2] }],
    },
    lineage: {},
    evaluation: {},
    reportHtml: '<p>e2e</p>',
    onnx: Buffer.from([1, 2, 3]),
    modelJson: '{}',
    testSample: { rows: [], scores: [] },
    referenceProfile: {
      rows: reference.length,
      features: Object.fromEntries(
        FEATURES.map((f, j) => [
          f,
          buildReferenceProfile(
            reference.map((x) => x[j]),
            { kind: 'numeric' },
          ),
        ]),
      ),
      score: buildReferenceProfile(refScores, { kind: 'numeric', edges: Array.from({ length: 21 }, (_, i) => i / 20) }),
    },
    contentSha256: 'a'.repeat(64),
  });
  await bus.connectPublisher();
  for (const [topic, decode, into] of [
    [topics.alerts, (m: BusMessage) => decodeMonitoringAlert(m.value), alerts],
    [topics.training, (m: BusMessage) => decodeTrainingRequest(m.value, m.headers[CONTENT_TYPE_HEADER]), requests],
  ] as const)
    subscriptions.push(
      await bus.subscribe({
        groupId: randomName('reader'),
        topics: [topic],
        fromBeginning: true,
        handler: async (batch) => void batch.forEach((m) => (into as unknown[]).push(decode(m))),
      }),
    );
}, 120_000);

afterAll(async () => {
  for (const app of apps) await app.close().catch(() => undefined);
  for (const s of subscriptions) await s.stop().catch(() => undefined);
  await bus.close().catch(() => undefined);
  await storage?.close().catch(() => undefined);
  await db?.drop();
}, 60_000);

it('alerts on drift within one window and asks for retraining; joins labels exactly once; AUC as the metrics lib; CBPE near the realised AUC', async () => {
  const days = [day(0, 600, 0), day(1, 600, 1.5), day(2, 120, 1.5)];
  const all = days.flat();

  // Day 0 and half of day 1, then the consumer dies without committing; a new copy takes over.
  const first = await start();
  await publishPredictions([...days[0], ...days[1].slice(0, 300)]);
  await waitFor(
    async () =>
      Number((await storage.dataSource.query(`SELECT count(*) AS n FROM monitoring_predictions`))[0].n) >= 300,
    {
      timeoutMs: 60_000,
      message: 'predictions recorded',
    },
  );
  await first.app.get(PredictionConsumer).kill();
  await first.app.close();
  apps.splice(apps.indexOf(first.app), 1);
  const second = await start();
  await publishPredictions([...days[1].slice(300), ...days[2]]);
  // Outcomes, then one late event that moves the watermark past every label's horizon.
  await publishEvents([
    ...outcomes(all),
    {
      eventId: 'clock',
      entityId: 'clock',
      eventType: 'session_started',
      eventTimeMs: D0 + 6 * DAY,
      channel: 'email',
      attributes: {},
    },
  ]);

  // Every prediction once, every label once.
  await waitFor(
    async () => {
      const [r] = await storage.dataSource.query(
        `SELECT count(*)::int AS n, count(label)::int AS labelled FROM monitoring_predictions`,
      );
      return r.n === all.length && r.labelled === all.length;
    },
    { timeoutMs: 90_000, intervalMs: 250, message: 'all predictions recorded and labelled' },
  );
  const labels = new Map(
    (
      (await storage.dataSource.query(`SELECT prediction_id, label FROM monitoring_predictions`)) as {
        prediction_id: string;
        label: number;
      }[]
    ).map((r) => [r.prediction_id, r.label]),
  );
  expect(all.filter((s) => labels.get(s.prediction.predictionId) !== (s.completes ? 1 : 0))).toEqual([]);

  // The drift alert for day 1's window, and its retraining request.
  const fired = await waitFor(() => alerts.find((a) => a.rule === 'feature_drift' && a.state === 'firing'), {
    timeoutMs: 30_000,
    message: 'a feature_drift alert',
  });
  expect(fired).toMatchObject({ model: MODEL, modelVersion: 1, windowStartMs: D0 + DAY, retrainingRequested: true });
  const request = await waitFor(() => requests.find((r) => r.alertId === fired.alertId), {
    timeoutMs: 15_000,
    message: 'the retraining request',
  });
  expect(request).toMatchObject({ model: MODEL, trigger: 'drift', requestedBy: 'monitoring-service' });
  // Fired once for the episode.
  expect(alerts.filter((a) => a.rule === 'feature_drift' && a.state === 'firing')).toHaveLength(
    new Set(alerts.filter((a) => a.rule === 'feature_drift' && a.state === 'firing').map((a) => a.alertId)).size,
  );

  // The API's windows: realised AUC equals the metrics lib's on the same rows; the estimate is close before the drift.
  const view = (await (await fetch(`${second.url}/v1/monitoring/${MODEL}`)).json()) as ModelMonitoringView;
  const closed = view.windows.find((w) => w.closed)!;
  expect(closed.start).toBe(new Date(D0 + DAY).toISOString());
  expect(closed.driftedFeatures).toBeGreaterThanOrEqual(5);
  const dayRows = days[1];
  expect(closed.quality!.auc).toBe(
    auc(
      dayRows.map((s) => (s.completes ? 1 : 0)),
      dayRows.map((s) => s.prediction.score),
    ),
  );
  const day0Auc = auc(
    days[0].map((s) => (s.completes ? 1 : 0)),
    days[0].map((s) => s.prediction.score),
  );
  const { estimatedAuc } = await import('@pulse/monitoring');
  expect(Math.abs(estimatedAuc(days[0].map((s) => s.prediction.score)) - day0Auc)).toBeLessThan(0.03);
  expect((await fetch(`${second.url}/v1/monitoring/nope`)).status).toBe(404);
  const open = (await (await fetch(`${second.url}/v1/alerts?firing=true`)).json()) as { alerts: { rule: string }[] };
  expect(open.alerts.map((a) => a.rule)).toContain('feature_drift');
  expect((await fetch(`${second.url}/v1/alerts?firing=maybe`)).status).toBe(400);

  // Everything read again by a fresh consumer group (a full redelivery): no count changes.
  const counts = async () =>
    storage.dataSource.query(
      `SELECT (SELECT count(*)::int FROM monitoring_predictions) AS n, (SELECT sum(label)::int FROM monitoring_predictions) AS positives,
              (SELECT sum(total)::int FROM monitoring_drift_windows) AS binned`,
    );
  const before = await counts();
  expect(before[0].binned).toBe(all.length * (FEATURES.length + 1));
  const replay = await start({ MONITORING_CONSUMER_GROUP: randomName('monitoring-replay') });
  const metricsText = async () =>
    (await (await fetch(`${replay.url}/metrics`)).text()).match(/pulse_monitoring_predictions_total\{[^}]*\} (\d+)/);
  // The replay copy reads every prediction (it records none anew) before the counts are compared.
  await waitFor(
    async () => {
      const lag = (await (await fetch(`${replay.url}/metrics`)).text()).match(
        /pulse_monitoring_consumer_lag\{[^}]*predictions[^}]*\} (\d+)/,
      );
      return lag !== null && Number(lag[1]) === 0;
    },
    { timeoutMs: 60_000, message: 'the replay consumed the predictions' },
  );
  expect(metricsText).toBeDefined();
  expect(await counts()).toEqual(before);
}, 240_000);
