import { defineModelSpec, dropoutRiskModel, lessonCompletionModel } from '@pulse/models';
import type { Evaluation } from '../evaluate/evaluation.types';
import { evaluateGates, qualityGatesPassed } from './evaluate-gates';

const evaluation = (metrics: Record<string, number>, dp = 0.02, eo = 0.03): Evaluation =>
  ({
    metrics,
    fairness: [
      {
        attribute: 'region',
        demographicParityDifference: dp,
        equalizedOddsDifference: eo,
        groups: [],
        positiveClass: '1',
      },
    ],
  }) as unknown as Evaluation;

describe('evaluateGates', () => {
  it('passes an absolute gate strictly above its threshold only', () => {
    expect(evaluateGates(lessonCompletionModel, evaluation({ auc: 0.71 }))[0]).toMatchObject({
      passed: true,
      value: 0.71,
    });
    expect(evaluateGates(lessonCompletionModel, evaluation({ auc: 0.7 }))[0]).toMatchObject({ passed: false });
  });
  it('fails a gate whose metric was not measured, saying so', () => {
    expect(evaluateGates(lessonCompletionModel, evaluation({}))[0]).toMatchObject({
      passed: false,
      value: null,
      detail: 'auc was not measured',
    });
  });
  it('checks each fairness attribute against the spec maximum', () => {
    const verdicts = evaluateGates(lessonCompletionModel, evaluation({ auc: 0.8 }, 0.15, 0.05));
    expect(verdicts.map((v) => [v.name, v.passed])).toEqual([
      ['auc > 0.7', true],
      ['fairness demographic_parity_difference (region)', false],
      ['fairness equalized_odds_difference (region)', true],
      ['champion', true],
    ]);
    expect(qualityGatesPassed(verdicts)).toBe(false);
  });
  it('promotes over a champion only by the spec margin, and the champion gate never fails the quality verdict', () => {
    const champion = { version: 3, value: 0.8, sameTestWindow: true };
    const close = evaluateGates(lessonCompletionModel, evaluation({ auc: 0.809 }), champion);
    expect(close.at(-1)).toMatchObject({ name: 'champion', passed: false });
    expect(close.at(-1)!.value).toBeCloseTo(0.009, 12);
    expect(qualityGatesPassed(close)).toBe(true);
    expect(evaluateGates(lessonCompletionModel, evaluation({ auc: 0.81 }), champion).at(-1)).toMatchObject({
      passed: true,
    });
  });
  it('reads lower-is-better metrics the right way round', () => {
    const spec = defineModelSpec({
      ...dropoutRiskModel,
      gates: { ...dropoutRiskModel.gates, champion: { metric: 'mlogloss', minImprovement: 0.01 } },
    });
    const better = evaluateGates(spec, evaluation({ accuracy: 0.8, mlogloss: 0.5 }), {
      version: 1,
      value: 0.52,
      sameTestWindow: true,
    });
    expect(better.at(-1)).toMatchObject({ passed: true });
  });
});
