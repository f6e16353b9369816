// Argument checks shared by the metrics: wrong type -> TypeError, wrong size or value -> RangeError,
// always naming the argument so a caller sees which input is wrong.

/** Any dense numeric sequence: number[], Float32Array, Float64Array, Int32Array, ... */
export type Numbers = ArrayLike<number>;

export function assertNumbers(values: unknown, name: string): asserts values is Numbers {
  if (values === null || typeof values !== 'object' || typeof (values as Numbers).length !== 'number') {
    throw new TypeError(`${name} must be an array or typed array of numbers`);
  }
}

export function assertNonEmpty(values: Numbers, name: string): void {
  if (values.length === 0) throw new RangeError(`${name} must not be empty`);
}

export function assertSameLength(a: Numbers, aName: string, b: Numbers, bName: string): void {
  if (a.length !== b.length) {
    throw new RangeError(
      `${bName} has ${b.length} values but ${aName} has ${a.length}; they must have the same length`,
    );
  }
}

/** Checks the usual (truth, prediction, weights?) triple and returns the weight accessor. */
export function checkPair(
  yTrue: unknown,
  yPred: unknown,
  weights: unknown,
  names: [string, string] = ['yTrue', 'yPred'],
): (i: number) => number {
  assertNumbers(yTrue, names[0]);
  assertNumbers(yPred, names[1]);
  assertNonEmpty(yTrue, names[0]);
  assertSameLength(yTrue, names[0], yPred, names[1]);
  return weightAccessor(weights, yTrue.length);
}

export function weightAccessor(weights: unknown, n: number): (i: number) => number {
  if (weights === undefined) return () => 1;
  assertNumbers(weights, 'weights');
  if (weights.length !== n) throw new RangeError(`weights has ${weights.length} values, expected ${n}`);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`weights[${i}] must be finite and >= 0, got ${w}`);
    total += w;
  }
  if (total <= 0) throw new RangeError('weights must not all be zero');
  return (i) => weights[i];
}

export function assertBinaryLabels(yTrue: Numbers, name = 'yTrue'): void {
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] !== 0 && yTrue[i] !== 1) throw new RangeError(`${name}[${i}] must be 0 or 1, got ${yTrue[i]}`);
  }
}

export function assertInteger(value: unknown, name: string, min = -Infinity): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min)
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
}

export function assertPositive(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!(value > 0) || !Number.isFinite(value))
    throw new RangeError(`${name} must be a finite number > 0, got ${value}`);
}
