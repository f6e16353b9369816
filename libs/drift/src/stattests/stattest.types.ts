// A drift test of the registry: what it measures, on which columns, and Evidently's default
// threshold and comparison for its `drifted` decision.

export type ColumnKind = 'numeric' | 'categorical';

/** A column's two samples as the tests read them. */
export interface StatTestInput {
  kind: ColumnKind;
  /**
   * Counts per bin (numeric: numpy Sturges bins over both samples) or per category (the union of
   * both samples), aligned, with the sample sizes they are proportions of.
   */
  referenceCounts: ArrayLike<number>;
  currentCounts: ArrayLike<number>;
  referenceTotal: number;
  currentTotal: number;
  /** Numeric columns: both samples' finite values, sorted. */
  referenceSorted?: ArrayLike<number>;
  currentSorted?: ArrayLike<number>;
}

export interface TestStatistic {
  statistic: number;
  p_value: number;
}

export interface StatTest<R> {
  /** The key of the result field. */
  readonly name: string;
  /** The test's name in Evidently's registry (`stattest=` argument). */
  readonly evidentlyName: string;
  readonly kinds: readonly ColumnKind[];
  /** Evidently's default threshold for this test. */
  readonly defaultThreshold: number;
  /** Whether the score is a p-value (drift when small) or a distance (drift when large). */
  readonly scoreIs: 'p_value' | 'distance';
  compute(input: StatTestInput): R;
  /** The number compared with the threshold. */
  score(result: R): number;
  /** Evidently's decision with its own comparison (>=, <= or <, per test; see each file). */
  drifted(result: R, threshold?: number): boolean;
}
