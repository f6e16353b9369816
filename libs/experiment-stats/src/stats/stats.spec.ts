import { covariateStats, metricStats } from './sufficient-stats';
import { covariateMoments, summarize, toSummary } from './summarize';

// numpy: a.mean(), a.var(ddof=1)
const a = [12.1, 9.8, 11.4, 10.9, 13.2, 8.7, 12.5, 11.0];

describe('sufficient statistics', () => {
  it('sums n, values and squares', () =>
    expect(metricStats([1, 2, 3.5])).toEqual({ n: 3, sum: 6.5, sumSquares: 17.25 }));
  it('adds the covariate’s sums', () =>
    expect(covariateStats([1, 2], [3, 5])).toEqual({
      n: 2,
      sum: 3,
      sumSquares: 5,
      sumPre: 8,
      sumPreSquares: 34,
      sumProduct: 13,
    }));
  it('keeps the digits of a long sum (compensated)', () =>
    expect(metricStats(new Array(1_000_000).fill(0.1)).sum).toBe(100000));
  it('takes typed arrays', () => expect(metricStats(Float64Array.from([2, 4])).sum).toBe(6));
  it('names a value that is not a finite number', () =>
    expect(() => metricStats([1, NaN], 'control')).toThrow(new RangeError('control[1] must be finite, got NaN')));
  it('names a value of the wrong type', () =>
    expect(() => metricStats([1, '2' as never])).toThrow(new TypeError('values[1] must be a number, got string')));
  it('refuses a covariate of another length', () =>
    expect(() => covariateStats([1, 2], [1])).toThrow(new RangeError('pre has 1 values but values has 2')));
  it('refuses what is not an array', () =>
    expect(() => metricStats(3 as never)).toThrow(new TypeError('values must be an array')));
});

describe('summarize', () => {
  it('gives numpy’s mean', () => expect(summarize(metricStats(a)).mean).toBeCloseTo(11.2, 14));
  it('gives numpy’s var(ddof=1)', () => expect(summarize(metricStats(a)).variance).toBeCloseTo(2.1257142857142854, 13));
  it('gives 0 for constant values, never a rounding-negative variance', () =>
    expect(summarize(metricStats([0.1, 0.1, 0.1])).variance).toBe(0));
  it('refuses n < 2', () =>
    expect(() => summarize({ n: 1, sum: 1, sumSquares: 1 }, 'b')).toThrow(
      new RangeError('b.n must be an integer ≥ 2, got 1'),
    ));
  it('refuses a fractional n', () =>
    expect(() => summarize({ n: 2.5, sum: 1, sumSquares: 1 })).toThrow(/stats\.n must be an integer ≥ 2, got 2\.5/));
  it('refuses sums that no values have', () =>
    expect(() => summarize({ n: 10, sum: 10, sumSquares: 5 })).toThrow(
      new RangeError('stats.sumSquares is below (sum)²/n: not the sums of one set of values'),
    ));
  it('refuses a missing sum', () =>
    expect(() => summarize({ n: 10, sumSquares: 5 } as never)).toThrow(
      new TypeError('stats.sum must be a number, got undefined'),
    ));
  it('passes a summary through', () =>
    expect(toSummary({ n: 3, mean: 1, variance: 2 }, 'x')).toEqual({ n: 3, mean: 1, variance: 2 }));
  it('refuses a negative variance', () =>
    expect(() => toSummary({ n: 3, mean: 1, variance: -2 }, 'x')).toThrow(/x\.variance must be ≥ 0, got -2/));
  it('gives the covariate’s moments (numpy cov, ddof=1)', () =>
    expect(covariateMoments(covariateStats([1, 2, 4], [2, 2, 5]))).toEqual({
      meanPre: 3,
      variancePre: 3,
      covariance: 2.5,
    }));
});
