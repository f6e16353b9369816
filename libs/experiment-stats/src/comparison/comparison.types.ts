import type { MetricStats, VariantSummary } from '../stats/sufficient-stats.types';

/** A variant as a test takes it: its sufficient statistics or its summary. */
export type Arm = MetricStats | VariantSummary;

export interface ComparisonOptions {
  /** Two-sided significance level; the intervals are 1 − alpha. Default 0.05. */
  readonly alpha?: number;
}

/** Treatment against control: the difference of means (treatment − control) and its relative lift. */
export interface Comparison {
  readonly test: 'z' | 'welch';
  readonly difference: number;
  /** The difference's standard error (unpooled for proportions: the CI's). */
  readonly standardError: number;
  readonly statistic: number;
  /** Welch–Satterthwaite degrees of freedom; Infinity for the z-test. */
  readonly df: number;
  /** Two-sided; NaN when the data leave it undefined (both variants without variance). */
  readonly pValue: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  /** treatment mean / control mean − 1 (NaN when the control's mean is 0). */
  readonly relativeLift: number;
  readonly relativeCiLow: number;
  readonly relativeCiHigh: number;
}

/** One test per metric type, registered in comparison-test.registry.ts. */
export type ComparisonTest = (treatment: Arm, control: Arm, options?: ComparisonOptions) => Comparison;
