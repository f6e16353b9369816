// scipy.stats.chisquare(f_obs, f_exp): Pearson's statistic Σ (o − e)² / e and its upper-tail p-value
// on k − 1 degrees of freedom (scipy/stats/_stats_py.py, `_power_divergence` with lambda_ = 1).
// An expected count of 0 with a positive observed one makes the statistic +∞ and p 0, as in scipy;
// one category leaves 0 degrees of freedom and p NaN (scipy's chdtrc(0, 0)).
import gammainc from '@stdlib/math-base-special-gammainc';
import { numpySum } from '../binning/numpy-sum';

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
}

/** P(χ²_df > x), scipy's chdtrc: the regularised upper incomplete gamma Q(df/2, x/2). */
export function chiSquareSf(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return NaN;
  if (x === Infinity) return 0;
  if (x <= 0) return 1;
  return gammainc(x / 2, df / 2, true, true);
}

export function chiSquareTest(observed: ArrayLike<number>, expected: ArrayLike<number>): ChiSquareResult {
  const k = observed.length;
  const terms = new Float64Array(k);
  for (let i = 0; i < k; i++) terms[i] = (observed[i] - expected[i]) ** 2 / expected[i];
  const statistic = numpySum(terms);
  return { statistic, pValue: chiSquareSf(statistic, k - 1) };
}
