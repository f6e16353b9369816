import type { Comparison, ComparisonOptions } from '../comparison/comparison.types';
import { welchTTest } from '../comparison/welch-t-test';
import { assertArray, assertFiniteNumber } from '../guards';
import { covariateMoments } from '../stats/summarize';
import type { CovariateStats, VariantSummary } from '../stats/sufficient-stats.types';

/** CUPED's adjustment: adjusted value = value − theta · (pre − meanPre). */
export interface CupedAdjustment {
  /** cov(value, pre) / var(pre) over all units of all variants. */
  readonly theta: number;
  /** mean(pre) over all units of all variants. */
  readonly meanPre: number;
}

/**
 * Theta and the covariate's mean pooled over every unit of every variant: one adjustment for the
 * whole experiment, so every variant is shifted by the same line.
 */
export function cupedAdjustment(variants: readonly CovariateStats[], name = 'variants'): CupedAdjustment {
  assertArray(variants, name);
  if (variants.length === 0) throw new RangeError(`${name} must not be empty`);
  const total = { n: 0, sum: 0, sumSquares: 0, sumPre: 0, sumPreSquares: 0, sumProduct: 0 };
  variants.forEach((v, i) => {
    for (const k of Object.keys(total) as (keyof typeof total)[]) {
      assertFiniteNumber(v?.[k], `${name}[${i}].${k}`);
      total[k] += v[k];
    }
  });
  const { meanPre, variancePre, covariance } = covariateMoments(total, `${name} (pooled)`);
  if (!(variancePre > 0)) throw new RangeError(`${name}: the covariate has no variance, CUPED cannot use it`);
  return { theta: covariance / variancePre, meanPre };
}

/**
 * A variant's summary of its adjusted values, from its sums: mean − theta · (meanPre_v − meanPre)
 * and var(value) − 2 theta cov(value, pre) + theta² var(pre), all within the variant (n − 1).
 */
export function cupedSummary(stats: CovariateStats, adjustment: CupedAdjustment, name = 'stats'): VariantSummary {
  const { theta, meanPre } = adjustment;
  const m = covariateMoments(stats, name);
  const mean = stats.sum / stats.n;
  const valueVariance = Math.max(0, (stats.sumSquares - stats.sum * mean) / (stats.n - 1));
  const variance = valueVariance - 2 * theta * m.covariance + theta * theta * m.variancePre;
  return { n: stats.n, mean: mean - theta * (m.meanPre - meanPre), variance: Math.max(0, variance) };
}

/** Welch's test on the adjusted values of two variants, with the experiment's adjustment. */
export function cupedWelchTest(
  treatment: CovariateStats,
  control: CovariateStats,
  adjustment: CupedAdjustment,
  options: ComparisonOptions = {},
): Comparison & { theta: number } {
  const result = welchTTest(
    cupedSummary(treatment, adjustment, 'treatment'),
    cupedSummary(control, adjustment, 'control'),
    options,
  );
  return { ...result, theta: adjustment.theta };
}
