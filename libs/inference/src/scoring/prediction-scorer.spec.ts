/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import type { EngagementEvent } from '@pulse/contracts';
import { evaluateOffline } from '@pulse/features';
import { predictRow } from '@pulse/gbdt';
import { compileModelSpec, dropoutRiskModel, lessonCompletionModel, type CompiledModelSpec } from '@pulse/models';
import { loadServableModel } from '../loading/model-loader';
import { ModelRefusedError } from '../loading/model-refused.error';
import type { ServableModel } from '../loading/servable-model';
import { candidateContents, quickSpec, registry, simulatedEvents, trainQuick } from '../testing/trained-models.fixture';
import { buildModelInput } from './model-input';
import { scorePrediction, scorePredictions } from './prediction-scorer';
import type { ModelInput } from './scored-prediction.types';

const log = simulatedEvents(120, 75);
const lessonSpec = compileModelSpec(lessonCompletionModel, registry);
const dropoutSpec = compileModelSpec(dropoutRiskModel, registry);
const logit = (p: number) => Math.log(p / (1 - p));

/** The first learner's lesson_sent triggers with their feature values as of each. */
function triggers(limit: number): { trigger: EngagementEvent; input: ModelInput }[] {
  const learner = log.events[0].entityId;
  const events = log.events.filter((e) => e.entityId === learner);
  return events
    .filter((e) => e.eventType === 'lesson_sent')
    .slice(0, limit)
    .map((trigger) => ({
      trigger,
      input: buildModelInput(lessonSpec, evaluateOffline(events, trigger.eventTimeMs, registry), trigger),
    }));
}

describe('scorePrediction', () => {
  let lesson: ServableModel;
  let dropout: ServableModel;
  beforeAll(async () => {
    const [l, d] = [
      await trainQuick(quickSpec(lessonCompletionModel), log),
      await trainQuick(quickSpec(dropoutRiskModel), log),
    ];
    lesson = await loadServableModel(candidateContents(l, 4));
    dropout = await loadServableModel(candidateContents(d, 2));
  }, 120_000);
  afterAll(async () => {
    await lesson.close();
    await dropout.close();
  });

  it('scores a lesson_sent trigger into a binary prediction: P(completed), its label, the risk of not completing', async () => {
    const [{ input }] = triggers(1);
    const p = await scorePrediction(lessonSpec, lesson, input, { alias: 'champion' });
    const expected = predictRow(lesson.gbdt, input.vector)[0];
    expect(p.score).toBeCloseTo(expected, 5);
    expect([p.modelVersion, p.alias, p.fallback]).toEqual([4, 'champion', false]);
    expect(p.label).toBe(p.score >= 0.5 ? '1' : '0');
    expect(p.classProbabilities).toEqual({ '0': 1 - p.score, '1': p.score });
    const risk = 1 - p.score;
    expect(p.riskTier).toBe(risk >= 0.6 ? 'high' : risk >= 0.3 ? 'medium' : 'low');
    expect(p.riskConfidence).toBe(Math.max(risk, 1 - risk));
  });

  it('reports the input vector in signature order with each input’s staleness', async () => {
    const [{ input }] = triggers(1);
    const p = await scorePrediction(lessonSpec, lesson, input, { alias: 'champion' });
    expect(p.inputs.map((i) => i.name)).toEqual(lessonSpec.featureNames);
    p.inputs.forEach((x, f) => {
      expect(x.value).toBe(input.vector[f]);
      expect(x.stalenessMs).toBe(input.staleness![f]);
    });
    expect(p.inputs.find((i) => i.name === 'request.send_hour')!.stalenessMs).toBe(0);
    const noStaleness = await scorePrediction(lessonSpec, lesson, { vector: input.vector }, { alias: 'champion' });
    expect(noStaleness.inputs.every((i) => i.stalenessMs === null)).toBe(true);
    const bare = await scorePrediction(lessonSpec, lesson, input, { alias: 'champion', includeInputs: false });
    expect(bare.inputs).toEqual([]);
  });

  it('explains with the largest TreeSHAP contributions, which with the bias add up to the log-odds', async () => {
    const [{ input }] = triggers(1);
    const p = await scorePrediction(lessonSpec, lesson, input, { alias: 'champion', topFactors: 3 });
    expect(p.topFactors).toHaveLength(3);
    const shap = lesson.explain(input.vector);
    const all = Array.from(shap.contributions);
    const byMagnitude = [...all].map(Math.abs).sort((a, b) => b - a);
    expect(p.topFactors.map((f) => Math.abs(f.contribution))).toEqual(byMagnitude.slice(0, 3));
    for (const f of p.topFactors) expect(f.value).toBe(input.vector[lessonSpec.featureNames.indexOf(f.feature)]);
    expect(all.reduce((a, b) => a + b, shap.bias[0])).toBeCloseTo(logit(p.score), 4);
    const off = await scorePrediction(lessonSpec, lesson, input, { alias: 'champion', topFactors: 0 });
    expect(off.topFactors).toEqual([]);
    expect((await scorePrediction(lessonSpec, lesson, input, { alias: 'champion' })).topFactors).toHaveLength(5);
  });

  it('scores a vector that is a view into a larger buffer', async () => {
    const [{ input }] = triggers(1);
    const F = input.vector.length;
    const buffer = new Float32Array(3 * F).fill(7);
    buffer.set(input.vector, F);
    const view = buffer.subarray(F, 2 * F);
    const [a, b] = [
      await scorePrediction(lessonSpec, lesson, { vector: view }, { alias: 'champion' }),
      await scorePrediction(lessonSpec, lesson, { vector: input.vector }, { alias: 'champion' }),
    ];
    expect(a).toEqual(b);
  });

  it('scores a batch in one call with the same results as one at a time', async () => {
    const batch = triggers(40);
    const together = await scorePredictions(
      lessonSpec,
      lesson,
      batch.map((b) => b.input),
      { alias: 'challenger' },
    );
    const alone = await Promise.all(
      batch.map((b) => scorePrediction(lessonSpec, lesson, b.input, { alias: 'challenger' })),
    );
    expect(together).toHaveLength(batch.length);
    expect(together).toEqual(alone);
    expect(new Set(together.map((p) => p.score)).size).toBeGreaterThan(5);
    expect(await scorePredictions(lessonSpec, lesson, [], { alias: 'champion' })).toEqual([]);
  });

  it('scores a multiclass model: the most probable class is the label, the tier and its confidence', async () => {
    const row = Float32Array.from(dropout.gbdt.featureNames.map((_, f) => f % 3));
    const p = await scorePrediction(dropoutSpec, dropout, { vector: row }, { alias: 'champion', topFactors: 2 });
    const probabilities = predictRow(dropout.gbdt, row);
    const best = probabilities.indexOf(Math.max(...probabilities));
    expect(p.label).toBe(['low', 'medium', 'high'][best]);
    expect([p.riskTier, p.riskConfidence, p.score]).toEqual([p.label, p.score, p.classProbabilities[p.label!]]);
    Object.values(p.classProbabilities).forEach((q, k) => expect(q).toBeCloseTo(probabilities[k], 5));
    // the factors explain the label's class margin
    const shap = dropout.explain(row);
    const F = dropout.numFeatures;
    const top = p.topFactors[0];
    expect(top.contribution).toBe(shap.contributions[best * F + dropoutSpec.featureNames.indexOf(top.feature)]);
  });

  it('refuses a version that does not read the spec’s vector', async () => {
    const row = new Float32Array(dropout.numFeatures);
    const attempt = scorePrediction(lessonSpec as CompiledModelSpec, dropout, { vector: row }, { alias: 'champion' });
    await expect(attempt).rejects.toThrow(ModelRefusedError);
    await expect(attempt).rejects.toThrow(/is a version of "dropout_risk", the spec is "lesson_completion"/);
  });

  it('names a wrong argument', async () => {
    const [{ input }] = triggers(1);
    const short = { vector: input.vector.subarray(1) };
    await expect(scorePrediction(lessonSpec, lesson, short, { alias: 'champion' })).rejects.toThrow(
      /inputs\[0\]\.vector has \d+ values, the model reads \d+/,
    );
    await expect(scorePrediction(lessonSpec, lesson, input, { alias: 'champion', topFactors: -1 })).rejects.toThrow(
      /options\.topFactors must be a non-negative integer/,
    );
    await expect(scorePrediction(lessonSpec, lesson, input, { alias: '' })).rejects.toThrow(/options\.alias/);
  });
});
