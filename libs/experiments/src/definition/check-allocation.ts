import type { VariationRange } from '../bucketing/variation-range';
import { checkRange } from './check-range';
import type { ExperimentDefinition } from './experiment.types';
import { isPlainObject, WEIGHT_TOLERANCE, type Fail } from './field-failure';

export interface Allocation {
  readonly weights: readonly number[];
  readonly coverage: number;
  /** Each variation's hash range, as assignment uses them. */
  readonly ranges?: readonly VariationRange[];
}

/**
 * Checks variations, their weights, coverage, explicit ranges, meta and force, and resolves the
 * weights (equal by default) and coverage (1 by default). With `ranges`, weights and coverage are
 * what the ranges imply; given ones must agree, since GrowthBook would ignore them.
 */
export function checkAllocation(def: ExperimentDefinition, fail: Fail): Allocation {
  const variations = def.variations;
  if (!Array.isArray(variations) || variations.length < 2)
    fail(
      'variations',
      `must list at least two variations, got ${Array.isArray(variations) ? variations.length : typeof variations}`,
    );
  const n = variations.length;
  variations.forEach((v, i) => v === undefined && fail(`variations[${i}]`, 'must be a JSON value'));

  const ranges = def.ranges === undefined ? undefined : checkRanges(def.ranges, n, fail);
  const implied = ranges && impliedAllocation(ranges);

  let weights: readonly number[] = implied?.weights ?? new Array<number>(n).fill(1 / n);
  if (def.weights !== undefined) {
    if (!Array.isArray(def.weights)) fail('weights', 'must be an array of numbers');
    if (def.weights.length !== n) fail('weights', `has ${def.weights.length} weights for ${n} variations`);
    def.weights.forEach((w, i) => {
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
        fail(`weights[${i}]`, `must be a finite number ≥ 0, got ${String(w)}`);
    });
    const total = def.weights.reduce((sum, w) => sum + w, 0);
    if (Math.abs(total - 1) > WEIGHT_TOLERANCE) fail('weights', `must sum to 1, got ${total}`);
    if (implied && def.weights.some((w, i) => Math.abs(w - implied.weights[i]) > WEIGHT_TOLERANCE))
      fail('weights', `must agree with ranges (${implied.weights.join(', ')}) or be left out`);
    weights = def.weights;
  }

  let coverage = implied?.coverage ?? 1;
  if (def.coverage !== undefined) {
    if (typeof def.coverage !== 'number' || !(def.coverage >= 0 && def.coverage <= 1))
      fail('coverage', `must be a number in [0, 1], got ${String(def.coverage)}`);
    if (implied && Math.abs(def.coverage - implied.coverage) > WEIGHT_TOLERANCE)
      fail('coverage', `must agree with ranges (${implied.coverage}) or be left out`);
    coverage = def.coverage;
  }

  checkMeta(def.meta, n, fail);
  if (def.force !== undefined && !(Number.isInteger(def.force) && def.force >= 0 && def.force < n))
    fail('force', `must be a variation index in [0, ${n - 1}], got ${String(def.force)}`);
  return { weights, coverage, ranges };
}

function checkRanges(raw: unknown, n: number, fail: Fail): VariationRange[] {
  if (!Array.isArray(raw) || raw.length !== n)
    return fail('ranges', `must give one [start, end] range per variation (${n})`);
  const ranges = raw.map((r, i) => checkRange(r, `ranges[${i}]`, fail));
  const order = ranges
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r[1] > r[0])
    .sort((a, b) => a.r[0] - b.r[0]);
  for (let k = 1; k < order.length; k++)
    if (order[k].r[0] < order[k - 1].r[1])
      fail(`ranges[${order[k].i}]`, `overlaps ranges[${order[k - 1].i}]: a unit can be in one variation only`);
  return ranges;
}

function impliedAllocation(ranges: readonly VariationRange[]): { weights: number[]; coverage: number } {
  const widths = ranges.map((r) => r[1] - r[0]);
  const coverage = widths.reduce((sum, w) => sum + w, 0);
  const weights = coverage > 0 ? widths.map((w) => w / coverage) : widths.map(() => 1 / ranges.length);
  return { weights, coverage };
}

function checkMeta(meta: unknown, n: number, fail: Fail): void {
  if (meta === undefined) return;
  if (!Array.isArray(meta) || meta.length !== n) fail('meta', `must describe each of the ${n} variations`);
  const keys = new Set<string>();
  (meta as unknown[]).forEach((m, i) => {
    if (!isPlainObject(m)) fail(`meta[${i}]`, 'must be an object');
    if (m.key !== undefined && (typeof m.key !== 'string' || m.key === ''))
      fail(`meta[${i}].key`, 'must be a non-empty string');
    // A variation without a key reports its index, which must not collide with another's key.
    const key = (m.key as string | undefined) ?? String(i);
    if (keys.has(key)) fail(`meta[${i}].key`, `"${key}" names two variations`);
    keys.add(key);
    if (m.name !== undefined && typeof m.name !== 'string') fail(`meta[${i}].name`, 'must be a string');
    if (m.passthrough !== undefined && typeof m.passthrough !== 'boolean')
      fail(`meta[${i}].passthrough`, 'must be true or false');
  });
}
