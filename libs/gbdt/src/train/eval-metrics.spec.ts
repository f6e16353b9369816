import { aucScore, evaluateMetric, higherIsBetter, ndcgAt } from './eval-metrics';

const f = (xs: number[]) => Float64Array.from(xs);

describe('early-stopping metrics', () => {
  it('AUC of a perfect ranking is 1, of a reversed one 0', () => {
    expect(aucScore([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(aucScore([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
  });
  it('AUC counts ties as half', () => expect(aucScore([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875));
  it('AUC of one class is NaN', () => expect(aucScore([1, 1], [0.2, 0.3])).toBeNaN());
  it('AUC is weighted by the sample weights (as XGBoost)', () => {
    expect(evaluateMetric('auc', f([0.1, 0.4, 0.5, 0.8]), [0, 1, 0, 1], 1)).toBe(0.75);
    expect(evaluateMetric('auc', f([0.1, 0.4, 0.5, 0.8]), [0, 1, 0, 1], 1, [1, 1, 3, 1])).toBe(0.625);
  });
  it('error counts P(1) > 0.5 as positive (0.5 is negative, as XGBoost)', () =>
    expect(evaluateMetric('error', f([0.5, 0.7, 0.2]), [1, 1, 0], 1)).toBeCloseTo(1 / 3, 12));
  it('logloss clips at 1e-16 (XGBoost)', () =>
    expect(evaluateMetric('logloss', f([0]), [1], 1)).toBeCloseTo(-Math.log(1e-16), 9));
  it('logloss', () =>
    expect(evaluateMetric('logloss', f([0.8, 0.4]), [1, 0], 1)).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 12));
  it('mlogloss and merror on row-major probabilities', () => {
    const p = f([0.7, 0.2, 0.1, 0.3, 0.3, 0.4]);
    expect(evaluateMetric('mlogloss', p, [0, 1], 3)).toBeCloseTo(-(Math.log(0.7) + Math.log(0.3)) / 2, 12);
    expect(evaluateMetric('merror', p, [0, 1], 3)).toBe(0.5);
  });
  it('weighted rmse', () =>
    expect(evaluateMetric('rmse', f([1, 3]), [0, 0], 1, [3, 1])).toBeCloseTo(Math.sqrt((3 + 9) / 4), 12));
  it('NDCG@k with gain 2^rel - 1, an all-zero query counting 1', () => {
    // query 1: labels [0, 2, 1] scored [3, 2, 1] -> DCG@2 = 0 + 3/log2(3); IDCG@2 = 3 + 1/log2(3)
    const expected = (3 / Math.log2(3) / (3 + 1 / Math.log2(3)) + 1) / 2;
    expect(ndcgAt([0, 2, 1, 0, 0], [3, 2, 1, 5, 4], [3, 2], 2)).toBeCloseTo(expected, 12);
  });
  it('knows which metrics grow with quality', () => {
    expect(higherIsBetter('auc')).toBe(true);
    expect(higherIsBetter('ndcg@3')).toBe(true);
    expect(higherIsBetter('logloss')).toBe(false);
  });
});
