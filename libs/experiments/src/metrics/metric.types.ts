/**
 * How a unit's value is made from its engagement events in a window after (or, for the CUPED
 * covariate, the same length before) its first exposure.
 * - conversion: 1 when the unit has at least one `eventType` event in the window, else 0
 * - count: the number of `eventType` events
 * - sum: the sum of `attribute` over them (0 without events)
 * - mean: the mean of `attribute` over them (units without events have no value and are left out)
 */
export type MetricKind = 'conversion' | 'count' | 'sum' | 'mean';

export interface MetricDefinition {
  readonly key: string;
  readonly kind: MetricKind;
  readonly eventType: string;
  /** Numeric or boolean event attribute (sum, mean). */
  readonly attribute?: string;
  /** Window after the first exposure, in hours. Default: 72 for conversion, 168 otherwise. */
  readonly windowHours?: number;
  readonly description?: string;
  readonly version?: number;
}

export interface Metric extends MetricDefinition {
  readonly windowHours: number;
  readonly version: number;
  /** proportion: values are 0/1 (two-proportion z-test); mean: Welch's t-test. */
  readonly metricType: 'proportion' | 'mean';
}
