// Experiment statistics from sufficient statistics: tests, CUPED, sequential, SRM, corrections, power
export type { CovariateStats, MetricStats, VariantSummary } from './stats/sufficient-stats.types';
export { covariateStats, metricStats } from './stats/sufficient-stats';
export { WEIGHT_TOLERANCE } from './guards';
export { covariateMoments, summarize } from './stats/summarize';
export type { Arm, Comparison, ComparisonOptions, ComparisonTest } from './comparison/comparison.types';
export { relativeLift } from './comparison/relative-lift';
export { proportionZTest } from './comparison/proportion-z-test';
export { welchTTest } from './comparison/welch-t-test';
export { COMPARISON_TESTS, METRIC_TYPES, type MetricType } from './comparison/comparison-test.registry';
export { cupedAdjustment, cupedSummary, cupedWelchTest, type CupedAdjustment } from './cuped/cuped';
export {
  DEFAULT_TUNING_PARAMETER,
  sequentialTest,
  type SequentialOptions,
  type SequentialResult,
} from './sequential/msprt';
export { SRM_THRESHOLD, srmTest, type SrmResult } from './srm/srm-test';
export { holm } from './corrections/holm';
export { benjaminiHochberg } from './corrections/benjamini-hochberg';
export { CORRECTION_NAMES, CORRECTIONS, type Correction, type CorrectionName } from './corrections/correction.registry';
export { cohenH } from './power/cohen-h';
export {
  designEffect,
  proportionPower,
  proportionSampleSize,
  type ProportionDesign,
  type SampleSize,
} from './power/proportion-power';
export {
  analyzeExperiment,
  type AnalyzeOptions,
  type CupedComparison,
  type ExperimentAnalysis,
  type VariantComparison,
  type VariantStats,
} from './analysis/analyze-experiment';
