/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import { buildExamples } from '@pulse/training';
import { compileModelSpec, DEFAULT_MODELS } from '@pulse/models';
import { learningEngagementRegistry } from '@pulse/features';
import { eventLogSource } from '@pulse/training-jobs';
import { waitFor } from '@pulse/testing';
import { DAY_MS, InferenceHarness, simulatedEvents } from './inference-service.harness';

/**
 * The Kafka path end to end on real infrastructure: simulated learners' events through the Kafka mock
 * cluster, feature-service folding them into Redis and the log, inference-service predicting every
 * lesson_sent. Every trigger gets exactly one prediction id (re-sent events and a consumer killed
 * mid-stream included), and every prediction's input vector is the training-set builder's row for
 * (entity, trigger time), checked for every prediction.
 */
const harness = new InferenceHarness();
const MODEL = 'lesson_completion';

beforeAll(async () => {
  await harness.setUp({ seed: 4, learners: 300, days: 30 });
}, 180_000);
afterAll(() => harness.tearDown(), 60_000);

it('gives every trigger exactly one prediction id, with the builder’s input vector, across duplicates and a killed consumer', async () => {
  const start = Date.now() - 6 * DAY_MS;
  const stream = simulatedEvents(11, 40, 5, start);
  const triggers = new Set(stream.filter((e) => e.eventType === 'lesson_sent').map((e) => e.eventId));
  expect(triggers.size).toBeGreaterThan(50);

  await harness.startFeatureService();
  const first = await harness.startInference();
  // The first half, then the consumer is killed without committing what it holds; a fresh copy takes over.
  const half = Math.floor(stream.length / 2);
  await harness.publish(stream.slice(0, half));
  await waitFor(() => harness.predictions.length >= 10, { timeoutMs: 60_000 });
  await first.consumer.kill();
  await harness.close(first.app);
  const second = await harness.startInference();
  // The rest, with a tenth of the events sent twice (a producer retrying).
  await harness.publish(stream.slice(half));
  await harness.publish(stream.filter((_, i) => i % 10 === 0));

  const ids = () => new Set(harness.predictions.filter((p) => !p.shadow).map((p) => p.triggerEventId));
  await waitFor(() => [...triggers].every((id) => ids().has(id)), { timeoutMs: 120_000, intervalMs: 250 });

  // Exactly one prediction id per trigger: redeliveries repeat the id, never make a second one.
  const idsByTrigger = new Map<string, Set<string>>();
  for (const p of harness.predictions) {
    expect(p.shadow).toBe(false);
    expect(triggers.has(p.triggerEventId!)).toBe(true);
    const set = idsByTrigger.get(p.triggerEventId!) ?? new Set<string>();
    set.add(p.predictionId);
    idsByTrigger.set(p.triggerEventId!, set);
  }
  expect([...idsByTrigger.values()].filter((s) => s.size !== 1)).toEqual([]);
  expect(idsByTrigger.size).toBe(triggers.size);
  expect(harness.predictions.every((p) => p.fallback === false && p.modelVersion === 1 && p.alias === 'champion')).toBe(
    true,
  );

  // Skew 0: each prediction's inputs equal the training-set row the builder makes from the final log.
  const registry = learningEngagementRegistry();
  const compiled = compileModelSpec(DEFAULT_MODELS[MODEL], registry);
  const source = await eventLogSource(harness.storage.dataSource, harness.storage.eventLog);
  // A watermark far ahead: no example is censored, so every trigger has its row.
  const built = await buildExamples({
    compiled,
    registry,
    events: source.events(),
    watermarkMs: Number.MAX_SAFE_INTEGER,
    leakageEvery: 0,
  });
  const rows = new Map<string, Float32Array>();
  for (let i = 0; i < built.examples.size; i++) rows.set(built.examples.triggerIds[i], built.examples.row(i));
  let compared = 0;
  const skewed: string[] = [];
  for (const p of harness.predictions) {
    const row = rows.get(p.triggerEventId!);
    expect(row).toBeDefined();
    expect(p.inputs.map((x) => x.name)).toEqual(compiled.featureNames);
    p.inputs.forEach((x, j) => {
      const same = Number.isNaN(row![j]) ? Number.isNaN(x.value) : Math.fround(x.value) === row![j];
      if (!same) skewed.push(`${p.triggerEventId} ${x.name}: served ${x.value}, built ${row![j]}`);
    });
    compared++;
  }
  expect(skewed.slice(0, 10)).toEqual([]);
  expect(compared).toBeGreaterThanOrEqual(triggers.size);
  expect(second.app).toBeDefined();
}, 300_000);
