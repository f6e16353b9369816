import { assertCount, assertFiniteNumber } from '../guards';
import type { CovariateStats, MetricStats, VariantSummary } from './sufficient-stats.types';

/** Sums further below sum²/n than rounding explains are not the sums of one set of values. */
const ROUNDING = 1e-9;

/** Mean and sample variance (n − 1) from sufficient statistics; needs n ≥ 2. */
export function summarize(stats: MetricStats, name = 'stats'): VariantSummary {
  checkStats(stats, name);
  const { n, sum, sumSquares } = stats;
  const mean = sum / n;
  return { n, mean, variance: centredSum(sumSquares, sum * mean, `${name}.sumSquares`) / (n - 1) };
}

/** A summary as given, or one computed from sufficient statistics. */
export function toSummary(x: MetricStats | VariantSummary, name: string): VariantSummary {
  if (x === null || typeof x !== 'object') throw new TypeError(`${name} must be an object`);
  if ('sum' in x) return summarize(x, name);
  assertCount(x.n, `${name}.n`);
  assertFiniteNumber(x.mean, `${name}.mean`);
  assertFiniteNumber(x.variance, `${name}.variance`);
  if (x.variance < 0) throw new RangeError(`${name}.variance must be ≥ 0, got ${x.variance}`);
  return x;
}

/** The covariate's mean and sample variance, and its sample covariance with the metric (n − 1). */
export function covariateMoments(
  stats: CovariateStats,
  name = 'stats',
): { meanPre: number; variancePre: number; covariance: number } {
  checkStats(stats, name);
  for (const k of ['sumPre', 'sumPreSquares', 'sumProduct'] as const) assertFiniteNumber(stats[k], `${name}.${k}`);
  const { n, sum, sumPre, sumPreSquares, sumProduct } = stats;
  const meanPre = sumPre / n;
  return {
    meanPre,
    variancePre: centredSum(sumPreSquares, sumPre * meanPre, `${name}.sumPreSquares`) / (n - 1),
    covariance: (sumProduct - sum * meanPre) / (n - 1),
  };
}

function checkStats(stats: MetricStats, name: string): void {
  if (stats === null || typeof stats !== 'object') throw new TypeError(`${name} must be an object`);
  assertCount(stats.n, `${name}.n`);
  assertFiniteNumber(stats.sum, `${name}.sum`);
  assertFiniteNumber(stats.sumSquares, `${name}.sumSquares`);
}

/** Σx² − (Σx)²/n, refused when it is negative beyond rounding and clamped at 0 within it. */
function centredSum(squares: number, correction: number, name: string): number {
  const centred = squares - correction;
  if (centred < -ROUNDING * Math.max(Math.abs(squares), 1))
    throw new RangeError(`${name} is below (sum)²/n: not the sums of one set of values`);
  return Math.max(0, centred);
}
