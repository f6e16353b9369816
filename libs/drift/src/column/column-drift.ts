// Drift of one column between a reference and a current sample: every applicable test of the
// registry, and `drifted` from the test Evidently would choose by default (default-stattest.ts).
import { histogramCounts, sturgesEdges } from '../binning/numpy-histogram';
import { STAT_TESTS } from '../stattests/stattest.registry';
import type { ColumnKind, StatTest, StatTestInput, TestStatistic } from '../stattests/stattest.types';
import { assertNotEmpty, cleanCategorical, cleanNumeric, type CategoricalValues } from '../values';
import { defaultStatTest, type DecidingTest } from './default-stattest';

/** The result per column; ks and wasserstein for numeric columns, chi2 for categorical ones. */
export interface ColumnDrift {
  psi: number;
  js: number;
  ks?: TestStatistic;
  wasserstein?: number;
  chi2?: TestStatistic;
  drifted: boolean;
}

export interface ColumnDriftDetails {
  kind: ColumnKind;
  result: ColumnDrift;
  /** The test behind `drifted`, its score (p-value or distance) and Evidently's default threshold. */
  decision: { test: DecidingTest; score: number; threshold: number };
  rows: { reference: number; current: number };
  /** Values skipped: NaN and ±Infinity (numeric), null / undefined / NaN / ±Infinity (categorical). */
  missing: { reference: number; current: number };
  /** Numeric columns: the Sturges bin edges PSI and JS were computed on. */
  edges?: Float64Array;
}

export interface NumericDriftOptions {
  /**
   * Bin edges as numpy computes them for an int64 array (bin width at least 1). Default: when every
   * value of both samples is an integer and none is missing — the dtype numpy gives such a list, and
   * pandas such a CSV column.
   */
  integral?: boolean;
}

export function numericColumnDriftDetails(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  options: NumericDriftOptions = {},
): ColumnDriftDetails {
  const ref = cleanNumeric(reference, 'reference');
  const cur = cleanNumeric(current, 'current');
  assertNotEmpty(ref.sorted.length, ref.missing, 'reference');
  assertNotEmpty(cur.sorted.length, cur.missing, 'current');
  if (options.integral !== undefined && typeof options.integral !== 'boolean')
    throw new TypeError(`options.integral must be a boolean, got ${typeof options.integral}`);
  const integral = options.integral ?? (ref.integral && cur.integral);
  const nr = ref.sorted.length;
  const nc = cur.sorted.length;
  const min = Math.min(ref.sorted[0], cur.sorted[0]);
  const max = Math.max(ref.sorted[nr - 1], cur.sorted[nc - 1]);
  const edges = sturgesEdges(min, max, nr + nc, integral);
  const input: StatTestInput = {
    kind: 'numeric',
    referenceCounts: histogramCounts(ref.sorted, edges),
    currentCounts: histogramCounts(cur.sorted, edges),
    referenceTotal: nr,
    currentTotal: nc,
    referenceSorted: ref.sorted,
    currentSorted: cur.sorted,
  };
  const ks = STAT_TESTS.ks.compute(input);
  const wasserstein = STAT_TESTS.wasserstein.compute(input);
  const values = valueCounts(ref.sorted, cur.sorted);
  const test = defaultStatTest('numeric', nr, values.referenceCounts.length);
  // with <= 5 distinct values Evidently tests the values as categories
  const decision =
    test === 'ks'
      ? decide('ks', ks)
      : test === 'wasserstein'
        ? decide('wasserstein', wasserstein)
        : decideOnCategories(test, values);
  return {
    kind: 'numeric',
    result: {
      psi: STAT_TESTS.psi.compute(input),
      js: STAT_TESTS.js.compute(input),
      ks,
      wasserstein,
      drifted: decision.drifted,
    },
    decision: decision.summary,
    rows: { reference: nr, current: nc },
    missing: { reference: ref.missing, current: cur.missing },
    edges,
  };
}

export function categoricalColumnDriftDetails(
  reference: ArrayLike<unknown>,
  current: ArrayLike<unknown>,
): ColumnDriftDetails {
  const ref = cleanCategorical(reference, 'reference');
  const cur = cleanCategorical(current, 'current');
  assertNotEmpty(ref.total, ref.missing, 'reference');
  assertNotEmpty(cur.total, cur.missing, 'current');
  const input = categoryInput(ref, cur);
  const chi2 = STAT_TESTS.chi2.compute(input);
  const test = defaultStatTest('categorical', ref.total, input.referenceCounts.length);
  const decision = test === 'chi2' ? decide('chi2', chi2) : decideOnCategories(test, input);
  return {
    kind: 'categorical',
    result: { psi: STAT_TESTS.psi.compute(input), js: STAT_TESTS.js.compute(input), chi2, drifted: decision.drifted },
    decision: decision.summary,
    rows: { reference: ref.total, current: cur.total },
    missing: { reference: ref.missing, current: cur.missing },
  };
}

/** Drift of a numeric column: psi, js, ks, wasserstein, drifted. */
export function numericColumnDrift(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  options?: NumericDriftOptions,
): ColumnDrift {
  return numericColumnDriftDetails(reference, current, options).result;
}

/** Drift of a categorical column (strings, numbers or booleans; null / undefined missing): psi, js, chi2, drifted. */
export function categoricalColumnDrift(reference: ArrayLike<unknown>, current: ArrayLike<unknown>): ColumnDrift {
  return categoricalColumnDriftDetails(reference, current).result;
}

/** Counts over the union of both samples' categories (reference order first). */
function categoryInput(ref: CategoricalValues, cur: CategoricalValues): StatTestInput {
  const keys = [...ref.counts.keys()];
  for (const key of cur.counts.keys()) if (!ref.counts.has(key)) keys.push(key);
  return {
    kind: 'categorical',
    referenceCounts: Float64Array.from(keys, (k) => ref.counts.get(k) ?? 0),
    currentCounts: Float64Array.from(keys, (k) => cur.counts.get(k) ?? 0),
    referenceTotal: ref.total,
    currentTotal: cur.total,
  };
}

/** The numeric samples as categories, one per distinct value. */
function valueCounts(a: Float64Array, b: Float64Array): StatTestInput {
  const ref: number[] = [];
  const cur: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
    let ca = 0;
    let cb = 0;
    for (; i < a.length && a[i] === x; i++) ca++;
    for (; j < b.length && b[j] === x; j++) cb++;
    ref.push(ca);
    cur.push(cb);
  }
  return {
    kind: 'categorical',
    referenceCounts: ref,
    currentCounts: cur,
    referenceTotal: a.length,
    currentTotal: b.length,
  };
}

/** Evidently's decision with the given test on a result already computed. */
function decide(test: DecidingTest, result: unknown) {
  const t: StatTest<unknown> = STAT_TESTS[test];
  return { drifted: t.drifted(result), summary: { test, score: t.score(result), threshold: t.defaultThreshold } };
}

function decideOnCategories(test: DecidingTest, input: StatTestInput) {
  return decide(test, (STAT_TESTS[test] as StatTest<unknown>).compute(input));
}
