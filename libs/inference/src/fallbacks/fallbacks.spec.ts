import type { FeatureValue, FeatureValues } from '@pulse/features';
import { dropoutRiskModel, lessonCompletionModel } from '@pulse/models';
import { fallbackPrediction, priorFallback } from './fallback-prediction';
import { FALLBACK_RULES, fallbackFor } from './fallback.registry';
import type { FallbackRule } from './fallback.types';

const HOUR = 3_600_000;
const trigger = { eventTimeMs: Date.UTC(2026, 1, 1) };

/** One view's values, every feature last fed `ageMs` before the as-of time. */
function view(name: string, values: Record<string, FeatureValue>, ageMs: number | null): FeatureValues {
  return { [name]: { version: 1, values, freshness: Object.fromEntries(Object.keys(values).map((k) => [k, ageMs])) } };
}
const behaviour = (rate: number | null) => view('learner_behaviour', { lesson_completion_rate: rate }, 2 * HOUR);
const activity = (now: number, before: number) =>
  view(
    'learner_activity',
    {
      own_active_days_14d: now,
      own_active_days_prev_14d: before,
      own_activity_trend_14d: before === 0 ? null : now / before,
    },
    5 * HOUR,
  );
const answer = (rule: FallbackRule, values: FeatureValues, reason?: string) =>
  fallbackPrediction(rule, values, trigger, reason === undefined ? {} : { reason });
const tierOf = (rule: FallbackRule, values: FeatureValues) => {
  const p = answer(rule, values);
  return [p.label, p.riskTier, p.riskConfidence];
};

describe('fallback registry', () => {
  it('has a rule for each default model and none for others', () => {
    expect(Object.keys(FALLBACK_RULES).sort()).toEqual(['dropout_risk', 'lesson_completion']);
    expect(fallbackFor('lesson_completion')!.classes).toEqual(lessonCompletionModel.classes);
    expect(fallbackFor('dropout_risk')!.classes).toEqual(dropoutRiskModel.classes);
    expect(fallbackFor('churn')).toBeUndefined();
    expect(fallbackFor('__proto__')).toBeUndefined();
  });
});

describe('lesson_completion fallback: the learner’s completion rate so far', () => {
  const rule = fallbackFor('lesson_completion')!;

  it('answers as a prediction: flagged, version 0, alias fallback, no factors, the rate as its input', () => {
    expect(answer(rule, behaviour(0.8), 'no champion')).toEqual({
      modelVersion: 0,
      alias: 'fallback',
      score: 0.8,
      label: '1',
      classProbabilities: { '0': 1 - 0.8, '1': 0.8 },
      riskTier: 'low',
      riskConfidence: 0.8,
      topFactors: [],
      inputs: [{ name: 'learner_behaviour.lesson_completion_rate', value: 0.8, stalenessMs: 2 * HOUR }],
      fallback: true,
      fallbackReason: 'no champion',
    });
  });

  it('tiers the risk of not completing', () => {
    expect(tierOf(rule, behaviour(0.2))).toEqual(['0', 'high', 0.8]);
    expect(tierOf(rule, behaviour(0.6))).toEqual(['1', 'medium', 0.6]);
  });

  it('uses the prior 0.5 without a rate, and clamps a rate to [0, 1]', () => {
    expect(answer(rule, behaviour(null)).score).toBe(0.5);
    expect(answer(rule, {}).score).toBe(0.5);
    expect(answer(rule, {}).inputs).toEqual([
      { name: 'learner_behaviour.lesson_completion_rate', value: NaN, stalenessMs: null },
    ]);
    expect(answer(rule, behaviour(1.25)).score).toBe(1);
  });
});

describe('dropout_risk fallback: the label’s rule on the last 14 days against the 14 before', () => {
  const rule = fallbackFor('dropout_risk')!;

  it('is high when active days fell to 0.3 or less, low at 0.7 or more, medium between', () => {
    expect(tierOf(rule, activity(3, 10))).toEqual(['high', 'high', 0.6]);
    expect(tierOf(rule, activity(5, 10))).toEqual(['medium', 'medium', 0.6]);
    expect(tierOf(rule, activity(7, 10))).toEqual(['low', 'low', 0.6]);
    expect(tierOf(rule, activity(12, 10))).toEqual(['low', 'low', 0.6]);
  });

  it('gives the other classes 0.2 each and reports the trend and active days as inputs', () => {
    const p = answer(rule, activity(3, 10));
    expect(p.classProbabilities).toEqual({ low: 0.2, medium: 0.2, high: 0.6 });
    expect(p.score).toBe(0.6);
    expect(p.inputs.map((i) => [i.name, i.value, i.stalenessMs])).toEqual([
      ['learner_activity.own_activity_trend_14d', 0.3, 5 * HOUR],
      ['learner_activity.own_active_days_14d', 3, 5 * HOUR],
      ['learner_activity.own_active_days_prev_14d', 10, 5 * HOUR],
    ]);
  });

  it('without active days before: low when active since, high when not; without data: the prior', () => {
    expect(tierOf(rule, activity(4, 0))).toEqual(['low', 'low', 0.6]);
    expect(tierOf(rule, activity(0, 0))).toEqual(['high', 'high', 0.6]);
    expect(answer(rule, {}).classProbabilities).toEqual({ low: 0.3, medium: 0.4, high: 0.3 });
    expect(tierOf(rule, {})).toEqual(['medium', 'medium', 0.4]);
  });
});

describe('priorFallback', () => {
  it('makes every class equally likely for a classifier without a rule', () => {
    const p = fallbackPrediction(priorFallback(dropoutRiskModel), {}, trigger);
    expect(p.classProbabilities).toEqual({ low: 1 / 3, medium: 1 / 3, high: 1 / 3 });
    expect(fallbackPrediction(priorFallback(lessonCompletionModel), {}, trigger).score).toBe(0.5);
  });

  it('names a task it cannot serve', () => {
    expect(() => priorFallback({ ...lessonCompletionModel, task: 'regression' })).toThrow(/spec.task "regression"/);
  });
});
