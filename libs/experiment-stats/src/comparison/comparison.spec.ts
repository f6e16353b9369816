import { metricStats } from '../stats/sufficient-stats';
import { COMPARISON_TESTS } from './comparison-test.registry';
import { proportionZTest } from './proportion-z-test';
import { relativeLift } from './relative-lift';
import { welchTTest } from './welch-t-test';

// Reference values: scipy 1.10 ttest_ind(equal_var=False); statsmodels 0.13.5 CompareMeans
// tconfint_diff(usevar='unequal'), proportions_ztest and confint_proportions_2indep(method='wald').
const a = metricStats([12.1, 9.8, 11.4, 10.9, 13.2, 8.7, 12.5, 11.0]);
const b = metricStats([9.9, 10.2, 8.1, 9.5, 11.3, 10.0, 9.1]);
const ones = (k: number, n: number) => ({ n, sum: k, sumSquares: k });

describe('welchTTest', () => {
  const r = welchTTest(a, b);
  it('t statistic', () => expect(r.statistic).toBeCloseTo(2.309122976243792, 12));
  it('Welch–Satterthwaite df', () => expect(r.df).toBeCloseTo(12.333156197937875, 11));
  it('two-sided p-value', () => expect(r.pValue).toBeCloseTo(0.039000451901173086, 12));
  it('interval low', () => expect(r.ciLow).toBeCloseTo(0.08718498703522859, 10));
  it('interval high', () => expect(r.ciHigh).toBeCloseTo(2.8556721558219147, 10));
  it('difference is treatment − control', () => expect(r.difference).toBeCloseTo(11.2 - 68.1 / 7, 12));
  it('names its test', () => expect(r.test).toBe('welch'));
  it('takes summaries as well as sums', () =>
    expect(welchTTest({ n: 8, mean: 11.2, variance: 2.1257142857142854 }, b).pValue).toBeCloseTo(r.pValue, 12));
  it('is antisymmetric', () => expect(welchTTest(b, a).statistic).toBeCloseTo(-r.statistic, 14));
  it('leaves the p-value undefined without any variance', () =>
    expect(welchTTest(metricStats([1, 1]), metricStats([1, 1])).pValue).toBeNaN());
  it('refuses alpha outside (0, 1)', () =>
    expect(() => welchTTest(a, b, { alpha: 1 })).toThrow(new RangeError('alpha must be in (0, 1), got 1')));
  it('refuses a variant of one unit', () =>
    expect(() => welchTTest({ n: 1, sum: 3, sumSquares: 9 }, b)).toThrow(/treatment\.n must be an integer ≥ 2, got 1/));
});

describe('proportionZTest', () => {
  const r = proportionZTest(ones(130, 1000), ones(100, 1000));
  it('pooled z', () => expect(r.statistic).toBeCloseTo(2.102740605622114, 12));
  it('pooled two-sided p-value', () => expect(r.pValue).toBeCloseTo(0.03548845046647471, 13));
  it('unpooled Wald low', () => expect(r.ciLow).toBeCloseTo(0.0020679344393763587, 13));
  it('unpooled Wald high', () => expect(r.ciHigh).toBeCloseTo(0.057932065560623636, 13));
  it('unequal sizes at alpha 0.1: p-value', () =>
    expect(proportionZTest(ones(45, 200), ones(30, 180), { alpha: 0.1 }).pValue).toBeCloseTo(0.1537169466408025, 13));
  it('unequal sizes at alpha 0.1: interval', () =>
    expect(proportionZTest(ones(45, 200), ones(30, 180), { alpha: 0.1 }).ciLow).toBeCloseTo(-0.008348796123724925, 13));
  it('has no degrees of freedom', () => expect(r.df).toBe(Infinity));
  it('refuses a mean outside [0, 1]', () =>
    expect(() => proportionZTest({ n: 10, sum: 12, sumSquares: 20 }, ones(3, 10))).toThrow(
      /treatment is not a proportion: its mean is 1\.2/,
    ));
  it('leaves the p-value undefined when nobody converts', () =>
    expect(proportionZTest(ones(0, 50), ones(0, 60)).pValue).toBeNaN());
});

describe('relativeLift (delta method)', () => {
  // 0.13 / 0.10 − 1; Var = Vt/mc² + mt² Vc/mc⁴
  const r = relativeLift(0.13, 0.000113, 0.1, 0.00009, 0.05);
  it('lift', () => expect(r.relativeLift).toBeCloseTo(0.3, 14));
  it('interval', () =>
    expect(r.relativeCiHigh - r.relativeLift).toBeCloseTo(
      1.959963984540054 * Math.sqrt(0.000113 / 0.01 + (0.0169 * 0.00009) / 0.0001),
      12,
    ));
  it('is undefined when the control mean is 0', () => expect(relativeLift(1, 1, 0, 1, 0.05).relativeLift).toBeNaN());
  it('comes with each test', () => expect(welchTTest(a, b).relativeLift).toBeCloseTo(11.2 / (68.1 / 7) - 1, 12));
});

describe('comparison registry', () => {
  it('maps the metric types to their tests', () =>
    expect(COMPARISON_TESTS).toEqual({ proportion: proportionZTest, mean: welchTTest }));
});
