// Argument checks: wrong type -> TypeError, wrong size or value -> RangeError, always naming the
// argument so a caller sees which input is wrong.

/** Any dense numeric sequence: number[], Float64Array, ... */
export type Numbers = ArrayLike<number>;

export function assertNumbers(values: unknown, name: string): asserts values is Numbers {
  if (values === null || typeof values !== 'object' || typeof (values as Numbers).length !== 'number') {
    throw new TypeError(`${name} must be an array or typed array of numbers`);
  }
}

export function assertArray(values: unknown, name: string): asserts values is ArrayLike<unknown> {
  if (values === null || typeof values !== 'object' || typeof (values as ArrayLike<unknown>).length !== 'number') {
    throw new TypeError(`${name} must be an array`);
  }
}

export function assertInteger(value: unknown, name: string, min: number, max = Infinity): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `from ${min} to ${max}`;
    throw new RangeError(`${name} must be an integer ${range}, got ${value}`);
  }
}

export function assertThreshold(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
}
