import { CONTENT_TYPE_HEADER, decodeMonitoringAlert, decodeTrainingRequest } from '@pulse/contracts';
import type { MonitoringAlertMessage, TrainingRequestMessage } from '@pulse/contracts';
import { auc } from '@pulse/ml-metrics';
import { estimatedAuc } from '@pulse/monitoring';
import { PredictionConsumer, type ModelMonitoringView } from '@pulse/monitoring-service';
import { randomName, waitFor } from '@pulse/testing';
import {
  championPrediction,
  HARNESS_FEATURES as FEATURES,
  MonitoringServiceHarness,
  outcomes,
  seededRandom,
  type Sent,
} from './monitoring-service.harness';

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
const h = new MonitoringServiceHarness(MODEL, 'e2e');
let alerts: MonitoringAlertMessage[] = [];
let requests: TrainingRequestMessage[] = [];
const { rand, normal } = seededRandom(17);

// The world: five standard-normal inputs; on day 2 every input shifts by 1.5. The score is a calibrated
// probability, and the learner completes the lesson (within 48 h) with that probability.
function day(d: number, n: number, shift: number): Sent[] {
  return Array.from({ length: n }, (_, i) => {
    const asOfMs = D0 + d * DAY + Math.floor((i / n) * DAY);
    const x = FEATURES.map(() => normal() + shift);
    const z = x[0] - 0.5 * x[1] + 0.3 * normal();
    const score = 1 / (1 + Math.exp(-z));
    const trigger = `send-${d}-${i}`;
    return {
      completes: rand() < score,
      prediction: championPrediction({
        model: MODEL,
        trigger,
        entityId: `learner-${d}-${i % 200}`,
        contentId: `lesson-${d}-${i}`,
        asOfMs,
        score,
        inputs: x,
      }),
    };
  });
}

beforeAll(async () => {
  // The serving version: its reference is the day-0 world, its training AUC 0.8.
  await h.setUp(
    Array.from({ length: 5000 }, () => FEATURES.map(() => normal())),
    0.8,
  );
  alerts = await h.collect(h.topics.alerts, (m) => decodeMonitoringAlert(m.value));
  requests = await h.collect(h.topics.training, (m) => decodeTrainingRequest(m.value, m.headers[CONTENT_TYPE_HEADER]));
}, 120_000);

afterAll(() => h.tearDown(), 60_000);

it('alerts on drift within one window and asks for retraining; joins labels exactly once; AUC as the metrics lib; CBPE near the realised AUC', async () => {
  const days = [day(0, 600, 0), day(1, 600, 1.5), day(2, 120, 1.5)];
  const all = days.flat();

  // Day 0 and half of day 1, then the consumer dies without committing; a new copy takes over.
  const first = await h.start();
  await h.publishPredictions([...days[0], ...days[1].slice(0, 300)].map((s) => s.prediction));
  await waitFor(
    async () =>
      Number((await h.storage.dataSource.query(`SELECT count(*) AS n FROM monitoring_predictions`))[0].n) >= 300,
    {
      timeoutMs: 60_000,
      message: 'predictions recorded',
    },
  );
  await first.app.get(PredictionConsumer).kill();
  await h.stop(first.app);
  const second = await h.start();
  await h.publishPredictions([...days[1].slice(300), ...days[2]].map((s) => s.prediction));
  // Outcomes, then one late event that moves the watermark past every label's horizon.
  await h.publishEvents([
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
      const [r] = await h.storage.dataSource.query(
        `SELECT count(*)::int AS n, count(label)::int AS labelled FROM monitoring_predictions`,
      );
      return r.n === all.length && r.labelled === all.length;
    },
    { timeoutMs: 90_000, intervalMs: 250, message: 'all predictions recorded and labelled' },
  );
  const labels = new Map(
    (
      (await h.storage.dataSource.query(`SELECT prediction_id, label FROM monitoring_predictions`)) as {
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
  expect(Math.abs(estimatedAuc(days[0].map((s) => s.prediction.score)) - day0Auc)).toBeLessThan(0.03);
  expect((await fetch(`${second.url}/v1/monitoring/nope`)).status).toBe(404);
  const open = (await (await fetch(`${second.url}/v1/alerts?firing=true`)).json()) as { alerts: { rule: string }[] };
  expect(open.alerts.map((a) => a.rule)).toContain('feature_drift');
  expect((await fetch(`${second.url}/v1/alerts?firing=maybe`)).status).toBe(400);

  // Everything read again by a fresh consumer group (a full redelivery): no count changes.
  const counts = async () =>
    h.storage.dataSource.query(
      `SELECT (SELECT count(*)::int FROM monitoring_predictions) AS n, (SELECT sum(label)::int FROM monitoring_predictions) AS positives,
              (SELECT sum(total)::int FROM monitoring_drift_windows) AS binned`,
    );
  const before = await counts();
  expect(before[0].binned).toBe(all.length * (FEATURES.length + 1));
  const replay = await h.start({ MONITORING_CONSUMER_GROUP: randomName('monitoring-replay') });
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
  // The replay copy recorded no prediction anew.
  const recorded = [
    ...(await (await fetch(`${replay.url}/metrics`)).text()).matchAll(
      /^pulse_monitoring_predictions_total\{[^}]*\} (\d+)/gm,
    ),
  ].map((m) => Number(m[1]));
  expect(recorded.filter((n) => n > 0)).toEqual([]);
  expect(await counts()).toEqual(before);
}, 240_000);
