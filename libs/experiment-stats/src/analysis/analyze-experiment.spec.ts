import { covariateStats, metricStats } from '../stats/sufficient-stats';
import { analyzeExperiment, type VariantStats } from './analyze-experiment';

const ones = (k: number, n: number) => ({ n, sum: k, sumSquares: k });
const conversions: VariantStats[] = [
  { name: 'control', stats: ones(100, 1000) },
  { name: 'b', stats: ones(130, 1000) },
  { name: 'c', stats: ones(45, 500) },
];

describe('analyzeExperiment', () => {
  const a = analyzeExperiment(conversions, {
    control: 'control',
    metricType: 'proportion',
    weights: [0.4, 0.4, 0.2],
    correction: 'holm',
  });
  it('summarises each variant', () =>
    expect(a.variants[1]).toEqual({ name: 'b', n: 1000, mean: 0.13, variance: (130 - 130 * 0.13) / 999 }));
  it('compares each other variant with the control, in order', () =>
    expect(a.comparisons.map((c) => [c.variant, c.control])).toEqual([
      ['b', 'control'],
      ['c', 'control'],
    ]));
  // statsmodels proportions_ztest([130, 100], [1000, 1000])
  it('uses the metric type’s test', () => expect(a.comparisons[0].pValue).toBeCloseTo(0.03548845046647471, 13));
  // statsmodels multipletests([p_b, p_c], method='holm')
  it('adjusts the family (Holm)', () =>
    expect(a.comparisons.map((c) => c.pValueAdjusted)).toEqual([
      expect.closeTo(0.07097690093294942, 13),
      expect.closeTo(0.5366799117638539, 13),
    ]));
  it('checks the sample ratio against the weights (scipy chisquare)', () => expect(a.srm.chi2).toBeCloseTo(0, 12));
  it('adds the always-valid p-value', () =>
    expect(a.comparisons[0].sequential.pValue).toBeGreaterThan(a.comparisons[0].pValue));
  it('leaves CUPED out unless asked', () => expect(a.comparisons[0].cuped).toBeNull());
  it('defaults: equal weights, no correction, alpha 0.05', () =>
    expect(analyzeExperiment(conversions.slice(0, 2), { control: 'control', metricType: 'proportion' })).toMatchObject({
      correction: 'none',
      alpha: 0.05,
      srm: { expected: [1000, 1000] },
    }));
  it('CUPED with the covariate’s sums', () => {
    const r = analyzeExperiment(
      [
        { name: 'control', stats: covariateStats([5, 7, 6, 9, 8], [4, 6, 6, 8, 7]) },
        { name: 't', stats: covariateStats([10, 4, 6, 7, 9], [9, 4, 5, 6, 8]) },
      ],
      { control: 'control', metricType: 'mean', cuped: true },
    );
    expect(r.comparisons[0].cuped?.pValue).toBeCloseTo(0.9406668437718068, 12);
  });
  it('leaves an undefined p-value out of the family', () => {
    const r = analyzeExperiment(
      [
        { name: 'control', stats: ones(0, 50) },
        { name: 'b', stats: ones(0, 50) },
        { name: 'c', stats: ones(5, 50) },
      ],
      { control: 'control', metricType: 'proportion', correction: 'bh' },
    );
    expect([Number.isNaN(r.comparisons[0].pValueAdjusted), r.comparisons[1].pValueAdjusted]).toEqual([
      true,
      r.comparisons[1].pValue,
    ]);
  });
  it('refuses an unknown control, naming the variants', () =>
    expect(() => analyzeExperiment(conversions, { control: 'ctrl', metricType: 'proportion' })).toThrow(
      new RangeError('control "ctrl" is not one of the variants (control, b, c)'),
    ));
  it('refuses a variant of one unit', () =>
    expect(() =>
      analyzeExperiment([conversions[0], { name: 'x', stats: ones(1, 1) }], {
        control: 'control',
        metricType: 'proportion',
      }),
    ).toThrow(/variants\[1\] \(x\)\.stats\.n must be an integer ≥ 2, got 1/));
  it('refuses weights not summing to 1', () =>
    expect(() =>
      analyzeExperiment(conversions, { control: 'control', metricType: 'proportion', weights: [0.5, 0.5, 0.5] }),
    ).toThrow(/weights must sum to 1, got 1\.5/));
  it('refuses alpha 0', () =>
    expect(() => analyzeExperiment(conversions, { control: 'control', metricType: 'mean', alpha: 0 })).toThrow(
      /alpha must be in \(0, 1\), got 0/,
    ));
  it('refuses an unknown metric type or correction', () => {
    expect(() => analyzeExperiment(conversions, { control: 'control', metricType: 'ratio' as never })).toThrow(
      /metricType must be one of proportion, mean/,
    );
    expect(() =>
      analyzeExperiment(conversions, { control: 'control', metricType: 'mean', correction: 'bonferroni' as never }),
    ).toThrow(/correction must be one of none, holm, bh/);
  });
  it('refuses CUPED without the covariate’s sums', () =>
    expect(() => analyzeExperiment(conversions, { control: 'control', metricType: 'proportion', cuped: true })).toThrow(
      new TypeError('variant control: stats need sumPre, sumPreSquares and sumProduct for CUPED'),
    ));
  it('refuses two variants of one name', () =>
    expect(() =>
      analyzeExperiment([conversions[0], { name: 'control', stats: metricStats([1, 2]) }], {
        control: 'control',
        metricType: 'mean',
      }),
    ).toThrow(/variants must have distinct names/));
});
