// Argument checks shared by the statistics: wrong type -> TypeError, wrong value -> RangeError, always
// naming the argument so a caller sees which input is wrong.
import { assertFiniteNumber } from '@pulse/core';

export { assertFiniteNumber };

/** A significance level, strictly between 0 and 1. */
export function assertAlpha(value: unknown, name = 'alpha'): asserts value is number {
  assertOpenUnit(value, name);
}

/** A number strictly between 0 and 1 (a probability that cannot be 0 or 1). */
export function assertOpenUnit(value: unknown, name: string): asserts value is number {
  assertFiniteNumber(value, name);
  if (!(value > 0 && value < 1)) throw new RangeError(`${name} must be in (0, 1), got ${value}`);
}

/** A unit count that a variance can be estimated from: an integer ≥ `min` (2 by default). */
export function assertCount(value: unknown, name: string, min = 2): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min)
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
}

export function assertPositive(value: unknown, name: string): asserts value is number {
  assertFiniteNumber(value, name);
  if (!(value > 0)) throw new RangeError(`${name} must be > 0, got ${value}`);
}

export function assertArray(value: unknown, name: string): asserts value is ArrayLike<unknown> {
  if (value === null || typeof value !== 'object' || typeof (value as ArrayLike<unknown>).length !== 'number')
    throw new TypeError(`${name} must be an array`);
}

/** Weights that are each > 0 and sum to 1 (within 1e-6, as experiment definitions allow). */
export function assertWeights(weights: unknown, name: string, count: number): asserts weights is readonly number[] {
  assertArray(weights, name);
  if (weights.length !== count)
    throw new RangeError(`${name} has ${weights.length} weights, expected ${count} (one per variant)`);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const w = weights[i];
    assertFiniteNumber(w, `${name}[${i}]`);
    if (!(w > 0)) throw new RangeError(`${name}[${i}] must be > 0, got ${w}`);
    total += w;
  }
  if (Math.abs(total - 1) > WEIGHT_TOLERANCE) throw new RangeError(`${name} must sum to 1, got ${total}`);
}

/** How far weights may sum from 1 (decimal weights such as 1/3 written out). */
export const WEIGHT_TOLERANCE = 1e-6;
