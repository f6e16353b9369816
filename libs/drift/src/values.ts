// Cleaning of raw column values, as Evidently does before a drift test: NaN and ±Infinity (and, for
// categories, null / undefined) are dropped and counted, never compared.
import { assertArray, assertNumbers, type Numbers } from './guards';

/** A value a categorical column may hold; null, undefined and NaN are missing. */
export type Category = string | number | boolean | null | undefined;

export interface NumericValues {
  /** The finite values, sorted ascending. */
  sorted: Float64Array;
  /** NaN and ±Infinity skipped. */
  missing: number;
  /**
   * Every value is an integer and none was missing: the column numpy / pandas would hold as int64,
   * which changes numpy's Sturges bin width (see sturgesBinEdges).
   */
  integral: boolean;
}

export function cleanNumeric(values: unknown, name: string): NumericValues {
  assertNumbers(values, name);
  const out = new Float64Array(values.length);
  let n = 0;
  let integral = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw new TypeError(`${name}[${i}] must be a number, got ${typeof v}`);
    if (!Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) integral = false;
    out[n++] = v;
  }
  const sorted = out.subarray(0, n).sort();
  return { sorted, missing: values.length - n, integral: integral && n === values.length };
}

export interface CategoricalValues {
  /** Count per category key, in first-seen order. */
  counts: Map<string, number>;
  total: number;
  missing: number;
}

/**
 * The key a category is counted under: strings as they are, numbers and booleans by their value
 * (so 1 and 1.0 are one category, as in a pandas column), kept apart from strings by a prefix.
 */
export function categoryKey(v: Category): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? `\u0000n:${v}` : undefined;
  if (typeof v === 'boolean') return `\u0000b:${v}`;
  return undefined;
}

/** The label of a category key (the inverse of categoryKey, for reports). */
export function categoryLabel(key: string): string {
  return key.startsWith('\u0000') ? key.slice(3) : key;
}

export function cleanCategorical(values: unknown, name: string): CategoricalValues {
  assertArray(values, name);
  const counts = new Map<string, number>();
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && !['string', 'number', 'boolean'].includes(typeof v))
      throw new TypeError(`${name}[${i}] must be a string, number, boolean, null or undefined, got ${typeof v}`);
    const key = categoryKey(v as Category);
    if (key === undefined) missing++;
    else counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { counts, total: values.length - missing, missing };
}

export function assertNotEmpty(total: number, missing: number, name: string): void {
  if (total === 0)
    throw new RangeError(
      missing > 0 ? `${name} has no values (all ${missing} are missing)` : `${name} must not be empty`,
    );
}

export type { Numbers };
