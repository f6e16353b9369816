import { chiSquareSf } from '../distributions';
import { assertArray, assertOpenUnit, assertWeights } from '../guards';

/** Flag a sample ratio mismatch below this p-value (the usual, strict threshold: checks run often). */
export const SRM_THRESHOLD = 0.001;

export interface SrmResult {
  readonly chi2: number;
  readonly df: number;
  readonly pValue: number;
  readonly flagged: boolean;
  /** Units each variant should have had: total · weight. */
  readonly expected: readonly number[];
}

/**
 * Sample ratio mismatch: Pearson's chi-square goodness of fit of the variants' unit counts against
 * their weights (scipy `chisquare(counts, total · weights)`), flagged when p < threshold.
 */
export function srmTest(
  counts: readonly number[],
  weights: readonly number[],
  options: { readonly threshold?: number } = {},
): SrmResult {
  assertArray(counts, 'counts');
  if (counts.length < 2) throw new RangeError(`counts must give at least two variants, got ${counts.length}`);
  counts.forEach((c, i) => {
    if (typeof c !== 'number') throw new TypeError(`counts[${i}] must be a number, got ${typeof c}`);
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`counts[${i}] must be an integer ≥ 0, got ${c}`);
  });
  assertWeights(weights, 'weights', counts.length);
  const threshold = options.threshold ?? SRM_THRESHOLD;
  assertOpenUnit(threshold, 'threshold');
  const total = counts.reduce((s, c) => s + c, 0);
  if (total === 0) throw new RangeError('counts must not all be 0');
  const expected = weights.map((w) => total * w);
  let chi2 = 0;
  counts.forEach((c, i) => (chi2 += ((c - expected[i]) * (c - expected[i])) / expected[i]));
  const df = counts.length - 1;
  const pValue = chiSquareSf(chi2, df);
  return { chi2, df, pValue, flagged: pValue < threshold, expected };
}
