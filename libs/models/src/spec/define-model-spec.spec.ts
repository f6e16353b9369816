import { DefinitionError } from '@pulse/core';
import { lessonCompletionModel } from '../defaults/lesson-completion.model';
import { dropoutRiskModel } from '../defaults/dropout-risk.model';
import { defineModelSpec, parseOffset } from './define-model-spec';
import type { ModelSpecDefinition } from './model-spec.types';

const base: ModelSpecDefinition = lessonCompletionModel;

function broken(patch: Record<string, unknown>): ModelSpecDefinition {
  return { ...base, ...patch } as ModelSpecDefinition;
}

describe('defineModelSpec', () => {
  it('returns a frozen spec with resolved defaults', () => {
    expect(Object.isFrozen(lessonCompletionModel)).toBe(true);
    expect(lessonCompletionModel.classes).toEqual(['0', '1']);
    expect(lessonCompletionModel.horizonMs).toBe(48 * 3_600_000);
    expect(lessonCompletionModel.split).toEqual({ validation: 0.15, test: 0.15 });
    expect(dropoutRiskModel.classes).toEqual(['low', 'medium', 'high']);
  });

  it.each([
    ['name', broken({ name: 'Bad Name' }), /model "Bad Name" name: must be snake_case/],
    ['version', broken({ version: 0 }), /version: must be a positive integer, got 0/],
    ['task', broken({ task: 'clustering' }), /task: must be one of binary, multiclass, regression, ranking/],
    ['trigger kind', broken({ trigger: { kind: 'hourly' } }), /trigger.kind: must be "event" or "daily"/],
    ['trigger event type', broken({ trigger: { kind: 'event', eventType: '' } }), /trigger.eventType/],
    ['daily activeWithin', broken({ trigger: { kind: 'daily', activeWithin: 'two weeks' } }), /trigger.activeWithin/],
    ['daily hour', broken({ trigger: { kind: 'daily', activeWithin: '14d', hourUtc: 24 } }), /trigger.hourUtc/],
    [
      'label kind',
      broken({ label: { kind: 'magic', horizon: '1d' } }),
      /label.kind: must be one of eventWithin, activityChange/,
    ],
    ['label horizon', broken({ label: { ...base.label, horizon: '48 hours' } }), /label.horizon: is not a duration/],
    [
      'label types',
      broken({ label: { kind: 'eventWithin', eventTypes: [], horizon: '1d' } }),
      /label: eventTypes must list/,
    ],
    [
      'binary with three classes',
      broken({ label: dropoutRiskModel.label }),
      /label: a binary model needs a two-class label, got 3/,
    ],
    [
      'thresholds',
      broken({ task: 'multiclass', label: { ...dropoutRiskModel.label, dropAtMost: 0.8, keepAtLeast: 0.5 } }),
      /dropAtMost \(0.8\) must be ≥ 0 and below keepAtLeast \(0.5\)/,
    ],
    ['positive class', broken({ positiveClass: 'yes' }), /positiveClass: "yes" is not one of the label's classes/],
    ['no views', broken({ features: { views: [] } }), /features.views: must select at least one feature view/],
    [
      'view twice',
      broken({ features: { views: [base.features.views[0], base.features.views[0]] } }),
      /features.views\[1\].view: "learner_behaviour" is selected twice/,
    ],
    [
      'unpinned view',
      broken({ features: { views: [{ view: 'learner_behaviour', features: '*' }] } }),
      /features.views\[0\].version: must pin a positive view version/,
    ],
    [
      'offset',
      broken({ features: { views: [{ view: 'learner_behaviour', version: 1, features: '*', asOfOffset: 'soon' }] } }),
      /asOfOffset: is not a signed duration/,
    ],
    [
      'request feature',
      broken({ features: { ...base.features, request: ['weather'] } }),
      /features.request: unknown request-time feature "weather"/,
    ],
    [
      'derived feature',
      broken({ features: { ...base.features, derived: ['vibes'] } }),
      /features.derived: unknown derived feature "vibes"/,
    ],
    [
      'gate op',
      broken({ gates: { ...base.gates, absolute: [{ metric: 'auc', op: '≈', threshold: 0.7 }] } }),
      /gates.absolute\[0\].op/,
    ],
    [
      'gate threshold',
      broken({ gates: { ...base.gates, absolute: [{ metric: 'auc', op: '>', threshold: NaN }] } }),
      /gates.absolute\[0\].threshold: must be a finite number/,
    ],
    [
      'fairness bound',
      broken({ gates: { ...base.gates, fairness: { maxDemographicParityDifference: 2 } } }),
      /gates.fairness.maxDemographicParityDifference: must be in \[0, 1\]/,
    ],
    ['champion', broken({ gates: { ...base.gates, champion: { metric: 'auc' } } }), /gates.champion/],
    ['tuning', broken({ tuning: { trials: 0, maxRounds: 10 } }), /tuning.trials: must be a positive integer/],
    ['split', broken({ split: { validation: 0.5, test: 0.45 } }), /split: validation and test shares/],
    ['minRows', broken({ minRows: 3 }), /minRows: must be an integer ≥ 10/],
    [
      'drift test',
      broken({ monitoring: { driftThresholds: { kl: 0.1 } as never } }),
      /monitoring.driftThresholds.kl: is not a drift test/,
    ],
    [
      'drift threshold',
      broken({ monitoring: { driftThresholds: { psi: 1.5 } } }),
      /monitoring.driftThresholds.psi: must be in \(0, 1\)/,
    ],
    ['significant PSI', broken({ monitoring: { significantPsi: 0 } }), /monitoring.significantPsi/],
    ['drift feature count', broken({ monitoring: { driftMinFeatures: 2.5 } }), /monitoring.driftMinFeatures/],
    ['AUC drop', broken({ monitoring: { aucDropRatio: 1 } }), /monitoring.aucDropRatio: must be in \(0, 1\)/],
  ])('refuses a broken %s, naming the field', (_, def, message) => {
    expect(() => defineModelSpec(def)).toThrow(DefinitionError);
    expect(() => defineModelSpec(def)).toThrow(message);
  });

  it('parses signed as-of offsets', () => {
    expect(parseOffset('-5m')).toBe(-300_000);
    expect(parseOffset('+1h')).toBe(3_600_000);
    expect(parseOffset('2d')).toBe(172_800_000);
    expect(parseOffset('0m')).toBe(0);
    expect(parseOffset('5 minutes')).toBeUndefined();
    expect(parseOffset(5)).toBeUndefined();
  });
});

describe('monitoring overrides', () => {
  it('keeps valid overrides, frozen', () => {
    const spec = defineModelSpec({
      ...lessonCompletionModel,
      monitoring: { driftThresholds: { wasserstein: 0.2, ks: 0.01 }, significantPsi: 0.4, driftMinFeatures: 5 },
    });
    expect(spec.monitoring).toEqual({
      driftThresholds: { wasserstein: 0.2, ks: 0.01 },
      significantPsi: 0.4,
      driftMinFeatures: 5,
    });
    expect(Object.isFrozen(spec.monitoring!.driftThresholds)).toBe(true);
  });
});
