/** JSON numbers: a non-finite value (an undefined p-value, a lift over a zero mean) is null. */
export type Num = number | null;

export interface IntervalJson {
  readonly ci_low: Num;
  readonly ci_high: Num;
  readonly p_value: Num;
}

export interface ComparisonJson extends IntervalJson {
  readonly variant: string;
  readonly control: string;
  readonly test: 'z' | 'welch';
  readonly difference: Num;
  readonly relative_lift: Num;
  readonly relative_ci_low: Num;
  readonly relative_ci_high: Num;
  /** Adjusted across every comparison of every metric of the experiment. */
  readonly p_value_adjusted: Num;
  /** Always-valid (mixture SPRT): safe to read at any time, as often as wanted. */
  readonly sequential: IntervalJson;
  /** With the metric's pre-exposure value as covariate; null for mean metrics. */
  readonly cuped: (IntervalJson & { readonly theta: Num; readonly difference: Num }) | null;
}

export interface MetricResultJson {
  readonly metric: string;
  readonly kind: string;
  readonly metric_type: 'proportion' | 'mean';
  readonly window_hours: number;
  readonly variants: readonly { variant: string; n: number; mean: Num; variance: Num }[];
  readonly comparisons: readonly ComparisonJson[];
  /** Why there are no comparisons (too few units with a value in some variant). */
  readonly note?: string;
}

export interface ExperimentResultsJson {
  readonly experiment: string;
  readonly version: number;
  readonly status: string;
  readonly as_of: string;
  readonly control: string;
  readonly alpha: number;
  readonly correction: string;
  readonly srm: {
    readonly counts: Readonly<Record<string, number>>;
    readonly expected: Readonly<Record<string, number>>;
    readonly chi2: Num;
    readonly p_value: Num;
    readonly flagged: boolean;
  };
  readonly metrics: readonly MetricResultJson[];
}
