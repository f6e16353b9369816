import { assertArray } from '../guards';

/** p-values as an array of numbers in [0, 1]. */
export function checkPValues(pValues: readonly number[], name = 'pValues'): void {
  assertArray(pValues, name);
  pValues.forEach((p, i) => {
    if (typeof p !== 'number') throw new TypeError(`${name}[${i}] must be a number, got ${typeof p}`);
    if (!(p >= 0 && p <= 1)) throw new RangeError(`${name}[${i}] must be a p-value in [0, 1], got ${p}`);
  });
}

/** Indices that sort the p-values ascending. */
export function ascendingOrder(pValues: readonly number[]): number[] {
  return pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b]);
}
