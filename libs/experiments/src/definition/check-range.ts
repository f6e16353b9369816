import type { VariationRange } from '../bucketing/variation-range';
import type { Fail } from './field-failure';

/** A [start, end) pair with 0 ≤ start ≤ end ≤ 1 (an empty range is allowed: it takes no units). */
export function checkRange(range: unknown, field: string, fail: Fail): VariationRange {
  if (!Array.isArray(range) || range.length !== 2) return fail(field, 'must be a [start, end] pair');
  const [start, end] = range as unknown[];
  if (typeof start !== 'number' || typeof end !== 'number' || !Number.isFinite(start) || !Number.isFinite(end))
    return fail(field, 'must hold two finite numbers');
  if (!(start >= 0 && end <= 1 && start <= end))
    return fail(field, `must satisfy 0 ≤ start ≤ end ≤ 1, got [${start}, ${end}]`);
  return [start, end];
}
