import { covariateStats } from '../stats/sufficient-stats';
import { cupedAdjustment, cupedSummary, cupedWelchTest } from './cuped';

// numpy/scipy: theta = cov(y, x)[0, 1] / var(x, ddof=1) over all ten units, adjusted = y − theta
// (x − mean(x)), ttest_ind(adjusted[treatment], adjusted[control], equal_var=False); the interval
// with t.ppf refined by Newton steps on t.cdf (scipy 1.10's t.ppf at non-integer df is off by ~1e-10 here).
const control = covariateStats([5, 7, 6, 9, 8], [4, 6, 6, 8, 7]);
const treatment = covariateStats([10, 4, 6, 7, 9], [9, 4, 5, 6, 8]);

describe('CUPED', () => {
  const adjustment = cupedAdjustment([control, treatment]);
  const r = cupedWelchTest(treatment, control, adjustment);
  it('theta over all units', () => expect(adjustment.theta).toBeCloseTo(1.099616858237548, 13));
  it('pooled covariate mean', () => expect(adjustment.meanPre).toBeCloseTo(6.3, 14));
  it('adjusted difference', () => expect(r.difference).toBeCloseTo(-0.01992337164750868, 12));
  it('Welch p-value on adjusted values', () => expect(r.pValue).toBeCloseTo(0.9406668437718068, 12));
  it('interval low', () => expect(r.ciLow).toBeCloseTo(-0.6241880703138538, 13));
  it('interval high', () => expect(r.ciHigh).toBeCloseTo(0.5843413270188365, 13));
  it('reports theta', () => expect(r.theta).toBe(adjustment.theta));
  it('shrinks the variance when the covariate predicts the value', () =>
    expect(cupedSummary(control, adjustment).variance).toBeLessThan(2.5));
  it('refuses a covariate without variance', () =>
    expect(() => cupedAdjustment([covariateStats([1, 2], [3, 3]), covariateStats([4, 5], [3, 3])])).toThrow(
      /the covariate has no variance/,
    ));
  it('names a missing covariate sum', () =>
    expect(() => cupedAdjustment([{ n: 2, sum: 1, sumSquares: 1 } as never])).toThrow(
      new TypeError('variants[0].sumPre must be a number, got undefined'),
    ));
  it('refuses an empty list', () => expect(() => cupedAdjustment([])).toThrow(/variants must not be empty/));
});
