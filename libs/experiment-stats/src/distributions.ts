// The distribution functions the tests need, from stdlib-js, behind names that say which tail they give.
import chiSquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** P(|Z| ≥ |z|) for a standard normal Z (from the lower tail, so small p-values keep their digits). */
export function normalTwoSidedP(z: number): number {
  return Number.isNaN(z) ? NaN : 2 * normalCdf(-Math.abs(z), 0, 1);
}

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom (df need not be an integer). */
export function tTwoSidedP(t: number, df: number): number {
  return Number.isNaN(t) || Number.isNaN(df) ? NaN : 2 * tCdf(-Math.abs(t), df);
}

/** The standard normal's quantile. */
export function zQuantile(p: number): number {
  return normalQuantile(p, 0, 1);
}

export function normalCdfStd(x: number): number {
  return normalCdf(x, 0, 1);
}

export function tQuantileDf(p: number, df: number): number {
  return tQuantile(p, df);
}

/**
 * P(X ≥ x) for a chi-square with k degrees of freedom, as 1 − cdf: exact to about 1e-16 absolute,
 * which is all a p-value compared with a threshold needs.
 */
export function chiSquareSf(x: number, k: number): number {
  return Math.max(0, 1 - chiSquareCdf(x, k));
}
