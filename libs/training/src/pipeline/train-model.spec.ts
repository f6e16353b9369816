/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import { defineFeatureView, FeatureRegistry, LEARNING_ENGAGEMENT_VIEWS, LEARNING_EVENT_SCHEMA } from '@pulse/features';
import { defineModelSpec, lessonCompletionModel, type ModelSpec } from '@pulse/models';
import { modelFromJson, predict, createDataset } from '@pulse/gbdt';
import { LeakageError, TrainingSetError } from '../errors/training.errors';
import { simulatedLog } from '../testing/simulated-log';
import { trainModel } from './train-model';

const log = simulatedLog(400, 35);
const registry = new FeatureRegistry(LEARNING_ENGAGEMENT_VIEWS);
const quick = (spec: ModelSpec): ModelSpec =>
  defineModelSpec({ ...spec, params: { ...spec.params, eta: 0.1, num_boost_round: 200, early_stopping_rounds: 20 } });
const lesson = quick(lessonCompletionModel);
const train = (spec: ModelSpec, extra: Partial<Parameters<typeof trainModel>[0]> = {}, reg = registry) =>
  trainModel({ spec, registry: reg, events: log.events, watermarkMs: log.watermarkMs, oracle: log.oracle, ...extra });

describe('trainModel on a simulated log', () => {
  let first: Awaited<ReturnType<typeof trainModel>>;
  beforeAll(async () => {
    first = await train(lesson);
  }, 120_000);

  it('learns lesson_completion: AUC over the gate, above its baseline, near the oracle on the same test examples', () => {
    const e = first.evaluation;
    expect(e.metrics.auc).toBeGreaterThan(0.7);
    expect(e.metrics.auc).toBeGreaterThan(e.baseline.metrics.auc);
    expect(e.oracle!.matched).toBe(e.rows.test);
    expect(e.oracle!.auc - e.metrics.auc).toBeLessThan(0.07); // a small log; the full-size check is the CLI e2e
    expect(first.gatesPassed).toBe(true);
    expect(first.promote).toBe(true); // no champion yet
  });

  it('splits by time: every training example precedes every test example; labels reaching into the test period are purged', () => {
    const lineage = first.lineage as { validationStart: string; testStart: string; rows: { purged: number } };
    expect(Date.parse(lineage.validationStart)).toBeLessThan(Date.parse(lineage.testStart));
    expect(lineage.rows.purged).toBeGreaterThan(0);
  });

  it('stores a test sample the ONNX export reproduced, and JSON that predicts the same', () => {
    expect(first.testSample.rows.length).toBe(200);
    const model = modelFromJson(first.modelJson);
    const cols = first.signature.inputs.map((_, f) => Float32Array.from(first.testSample.rows, (r) => r[f]));
    const again = predict(model, createDataset({ columns: cols }));
    first.testSample.scores.forEach((s, i) => expect(again[i]).toBeCloseTo(s[0], 12));
  });

  it('is deterministic: the same data, spec and seed give the same contents', async () => {
    const second = await train(lesson);
    expect(second.contentSha256).toBe(first.contentSha256);
    expect(second.modelJson).toBe(first.modelJson);
  }, 120_000);

  it('fails the AUC gate when trained on shuffled labels', async () => {
    const shuffled = await train(lesson, { permuteLabels: 1 });
    expect(shuffled.evaluation.metrics.auc).toBeLessThan(0.6);
    expect(shuffled.gates.find((g) => g.name === 'auc > 0.7')).toMatchObject({ passed: false });
    expect(shuffled.gatesPassed).toBe(false);
    expect(shuffled.promote).toBe(false);
  }, 120_000);

  it('refuses a planted leak: a view evaluated after the trigger, named', async () => {
    const leaky = defineModelSpec({
      ...lesson,
      features: {
        ...lesson.features,
        views: lesson.features.views.map((v) =>
          v.view === 'learner_behaviour'
            ? { ...v, features: ['lessons_completed', 'lessons_sent'], asOfOffset: '+12h' }
            : v,
        ),
      },
    });
    const attempt = train(leaky);
    await expect(attempt).rejects.toThrow(LeakageError);
    await expect(attempt).rejects.toThrow(/learner_behaviour\.lessons_completed/);
  }, 120_000);

  it('fails the fairness gate with a planted, group-biased feature', async () => {
    // completions counted everywhere except in apac: a measurement that is broken for one region
    const biasedView = defineFeatureView({
      name: 'planted_bias',
      version: 1,
      entity: 'learner',
      sources: ['lesson_completed', 'lesson_sent'],
      schema: LEARNING_EVENT_SCHEMA,
      features: [
        {
          name: 'completed_outside_apac',
          aggregation: 'count',
          eventTypes: ['lesson_completed'],
          where: [{ field: 'profile.region', op: 'ne', value: 'apac' }],
        },
        { name: 'sent', aggregation: 'count', eventTypes: ['lesson_sent'] },
        { name: 'rate_outside_apac', aggregation: 'ratio', numerator: 'completed_outside_apac', denominator: 'sent' },
      ],
    });
    const biasedRegistry = new FeatureRegistry([biasedView]);
    const biased = defineModelSpec({
      ...lesson,
      features: { views: [{ view: 'planted_bias', version: 1, features: '*' }], request: ['send_channel'] },
      baselineFeature: 'planted_bias.rate_outside_apac',
    });
    const result = await train(biased, {}, biasedRegistry);
    const region = result.evaluation.fairness.find((f) => f.attribute === 'region')!;
    expect(region.demographicParityDifference).toBeGreaterThan(0.1);
    const gate = result.gates.find((g) => g.name === 'fairness demographic_parity_difference (region)');
    expect(gate).toMatchObject({ passed: false });
    expect(result.gatesPassed).toBe(false);
    const role = result.evaluation.fairness.find((f) => f.attribute === 'role')!;
    expect(role.demographicParityDifference).toBeLessThan(region.demographicParityDifference);
  }, 120_000);

  it('refuses too small a training set, naming the check', async () => {
    const strict = defineModelSpec({ ...lesson, minRows: 10_000_000 });
    await expect(train(strict)).rejects.toThrow(TrainingSetError);
    await expect(train(strict)).rejects.toThrow(/fewer than the minimum 10000000/);
  }, 120_000);
});
