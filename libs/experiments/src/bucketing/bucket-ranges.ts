import type { VariationRange } from './variation-range';

/** n equal weights (none for n ≤ 0). */
export function getEqualWeights(n: number): number[] {
  if (n <= 0) return [];
  return new Array<number>(n).fill(1 / n);
}

/**
 * Each variation's hash range, as GrowthBook lays them out: variation i starts at the sum of the
 * earlier weights and covers `coverage` of its own weight, so lowering coverage never moves a unit to
 * another variation. Out-of-bounds inputs fall back as GrowthBook's do (coverage clamped to [0, 1];
 * weights of the wrong count or not summing to 1 ± 0.01 become equal); definitions refuse them first.
 */
export function getBucketRanges(
  numVariations: number,
  coverage: number | undefined,
  weights?: readonly number[],
): VariationRange[] {
  const cover = coverage === undefined ? 1 : Math.min(1, Math.max(0, coverage));
  const equal = getEqualWeights(numVariations);
  let w = weights ?? equal;
  if (w.length !== numVariations) w = equal;
  const total = w.reduce((sum, x) => sum + x, 0);
  if (total < 0.99 || total > 1.01) w = equal;

  let cumulative = 0;
  return w.map((x) => {
    const start = cumulative;
    cumulative += x;
    return [start, start + cover * x] as const;
  });
}
