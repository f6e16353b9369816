import type { ComparisonTest } from './comparison.types';
import { proportionZTest } from './proportion-z-test';
import { welchTTest } from './welch-t-test';

/** The test each metric type is compared with; a new metric type is one file and one line here. */
export const COMPARISON_TESTS = {
  proportion: proportionZTest,
  mean: welchTTest,
} as const satisfies Record<string, ComparisonTest>;

export type MetricType = keyof typeof COMPARISON_TESTS;

export const METRIC_TYPES = Object.keys(COMPARISON_TESTS) as MetricType[];
