/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import { GrowthBook, type Experiment as GrowthBookExperiment } from '@growthbook/growthbook';
import type { BusMessage } from '@pulse/bus';
import {
  CONTENT_TYPE_HEADER,
  decodeExperimentExposure,
  encodeExperimentChange,
  exposureId,
  predictionId,
  type ExperimentExposureMessage,
} from '@pulse/contracts';
import { randomName, waitFor } from '@pulse/testing';
import { DAY_MS, InferenceHarness, simulatedEvents } from './inference-service.harness';

/**
 * Model experiments: a running experiment on lesson_completion (champion against challenger against
 * the rule), known to inference-service only from experiments.changes.v1, routes each trigger to the
 * variation GrowthBook's SDK gives the learner; the acted-on prediction is stamped with experiment and
 * variant, the other served versions are published as shadows, and one exposure per learner is
 * published with the trigger and prediction that exposed it.
 */
const harness = new InferenceHarness();
const MODEL = 'lesson_completion';
const EXPERIMENT = {
  key: 'completion-model-test',
  variations: ['champion', 'challenger', 'rule'],
  meta: [{ key: 'champion' }, { key: 'challenger' }, { key: 'rule' }],
  weights: [0.4, 0.3, 0.3],
  coverage: 0.8,
  hashVersion: 2,
  model: MODEL,
  status: 'running',
};

beforeAll(async () => {
  await harness.setUp({ seed: 4, learners: 300, days: 30 });
  // The challenger: the same artifact registered again as version 2.
  const v2 = await harness.registerCopy(MODEL, 1, (v) => v);
  await harness.registry.moveAlias({ model: MODEL, alias: 'challenger', version: v2, actor: 'e2e', reason: 'test' });
  // A stale version first, then the running one: the newest version per key wins.
  const publisher = harness.bus.createPublisher();
  for (const [version, status] of [
    [2, 'running'],
    [1, 'draft'],
  ] as const) {
    const encoded = encodeExperimentChange({
      key: EXPERIMENT.key,
      version,
      changedAtMs: Date.now(),
      definition: { ...EXPERIMENT, status },
    });
    await publisher.publish(harness.topics.experimentChanges, [
      { key: EXPERIMENT.key, value: encoded.value, headers: { [CONTENT_TYPE_HEADER]: encoded.contentType } },
    ]);
  }
}, 180_000);
afterAll(() => harness.tearDown(), 60_000);

it('routes every trigger by the learner’s variation, stamps it, publishes the others as shadows and one exposure per learner', async () => {
  const exposures: ExperimentExposureMessage[] = [];
  const reader = await harness.bus.subscribe({
    groupId: randomName('exposures-reader'),
    topics: [harness.topics.exposures],
    fromBeginning: true,
    handler: async (batch: BusMessage[]) => {
      for (const m of batch) exposures.push(decodeExperimentExposure(m.value, m.headers[CONTENT_TYPE_HEADER]));
    },
  });
  const stream = simulatedEvents(23, 30, 4, Date.now() - 5 * DAY_MS);
  const triggers = stream.filter((e) => e.eventType === 'lesson_sent');
  await harness.startFeatureService();
  await harness.startInference();
  await harness.publish(stream);

  const acted = () => harness.predictions.filter((p) => !p.shadow);
  await waitFor(() => new Set(acted().map((p) => p.triggerEventId)).size === triggers.length, {
    timeoutMs: 120_000,
    intervalMs: 250,
    message: 'an acted-on prediction for every trigger',
  });

  const variationOf = (unit: string) =>
    new GrowthBook({ attributes: { id: unit } }).run(EXPERIMENT as unknown as GrowthBookExperiment<string>);
  const routed = new Set<string>();
  const seenRoutes = new Set<string>();
  for (const trigger of triggers) {
    const theirs = variationOf(trigger.entityId);
    const mine = acted().filter((p) => p.triggerEventId === trigger.eventId);
    expect(new Set(mine.map((p) => p.predictionId))).toEqual(
      new Set([predictionId(MODEL, trigger.eventId, 'champion')]),
    );
    const p = mine[0];
    if (!theirs.inExperiment) {
      expect([p.experimentKey, p.alias, p.variant]).toEqual([undefined, 'champion', 'champion']);
      continue;
    }
    routed.add(trigger.entityId);
    seenRoutes.add(theirs.value);
    expect([trigger.entityId, p.experimentKey, p.variant]).toEqual([trigger.entityId, EXPERIMENT.key, theirs.key]);
    if (theirs.value === 'rule')
      expect([p.fallback, p.fallbackReason]).toEqual([true, `experiment ${EXPERIMENT.key} routes to the rule`]);
    else
      expect([p.alias, p.modelVersion, p.fallback]).toEqual([theirs.value, theirs.value === 'champion' ? 1 : 2, false]);
    // Whatever was not acted on was scored beside it, as a shadow.
    const shadows = harness.predictions.filter((s) => s.shadow && s.triggerEventId === trigger.eventId);
    const expectedShadows = ['champion', 'challenger'].filter((a) => a !== theirs.value).sort();
    expect([...new Set(shadows.map((s) => s.alias))].sort()).toEqual(expectedShadows);
  }
  expect(seenRoutes).toEqual(new Set(['champion', 'challenger', 'rule']));

  // One exposure id per routed learner, with the variant; each names a trigger and its acted-on prediction.
  await waitFor(() => new Set(exposures.map((x) => x.unitId)).size === routed.size, {
    timeoutMs: 30_000,
    message: 'an exposure for every routed learner',
  });
  for (const x of exposures) {
    expect(x.exposureId).toBe(exposureId(EXPERIMENT.key, x.unitId));
    expect(x.variant).toBe(variationOf(x.unitId).key);
    expect(x.predictionId).toBe(predictionId(MODEL, x.triggerEventId!, 'champion'));
    expect(routed.has(x.unitId)).toBe(true);
  }
  await reader.stop();
}, 240_000);
