import type { ExampleSet } from '../examples/example-set';

export interface TimeSplit {
  /** Row indices of each split, in time order. */
  readonly train: Int32Array;
  readonly validation: Int32Array;
  readonly test: Int32Array;
  /** Event time at which the validation and the test split start. */
  readonly validationStartMs: number;
  readonly testStartMs: number;
  /** Rows left out because their label window reaches into the test period. */
  readonly purged: number;
}

/**
 * Splits by event time: train < validation < test. The test split is the newest `test` share of the
 * examples; examples before it whose label horizon reaches past its start are purged (their label is
 * made of events inside the test period), and the rest is split into train and validation by time.
 * Every example of an entity is in the split its time falls in, so no test example's time precedes
 * a training example's.
 */
export function timeSplit(
  examples: ExampleSet,
  shares: { readonly validation: number; readonly test: number },
  horizonMs: number,
): TimeSplit {
  const n = examples.size;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => examples.time(a) - examples.time(b) || (examples.entityIds[a] < examples.entityIds[b] ? -1 : 1) || a - b,
  );
  const testFrom = Math.floor(n * (1 - shares.test));
  const testStartMs = n === 0 ? 0 : examples.time(order[Math.min(testFrom, n - 1)]);
  const test = order.filter((i) => examples.time(i) >= testStartMs);
  const pool = order.filter((i) => examples.time(i) < testStartMs && examples.time(i) + horizonMs <= testStartMs);
  const purged = n - test.length - pool.length;
  const valFrom = Math.floor(pool.length * (1 - shares.validation / (1 - shares.test)));
  const validationStartMs = pool.length === 0 ? testStartMs : examples.time(pool[Math.min(valFrom, pool.length - 1)]);
  return {
    train: Int32Array.from(pool.filter((i) => examples.time(i) < validationStartMs)),
    validation: Int32Array.from(pool.filter((i) => examples.time(i) >= validationStartMs)),
    test: Int32Array.from(test),
    validationStartMs,
    testStartMs,
    purged,
  };
}
