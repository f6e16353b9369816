// Experiments: definitions and GrowthBook-compatible assignment
export { fnv1a32 } from './hashing/fnv1a32';
export { hash, type HashVersion } from './hashing/growthbook-hash';
export { inRange, type VariationRange } from './bucketing/variation-range';
export { getBucketRanges, getEqualWeights } from './bucketing/bucket-ranges';
export { chooseVariation } from './bucketing/choose-variation';
export { inNamespace, type Namespace } from './bucketing/namespace';
export type {
  ArgumentChecks,
  Attributes,
  Condition,
  ConditionContext,
  ConditionOperator,
  ConditionProblem,
  SavedGroup,
  SavedGroups,
} from './conditions/condition.types';
export { evalCondition } from './conditions/eval-condition';
export { conditionProblem } from './conditions/condition-problem';
export { CONDITION_OPERATORS } from './conditions/condition-operator.registry';
export { paddedVersionString } from './conditions/padded-version';
export type {
  DefineExperimentOptions,
  Experiment,
  ExperimentDefinition,
  ExperimentFilter,
  ExperimentStatus,
  VariationMeta,
} from './definition/experiment.types';
export { defineExperiment } from './definition/define-experiment';
export { validateLayer } from './definition/validate-layer';
export { MODEL_ROUTES, type ModelRoute } from './definition/check-model-routing';
export type { Assignment, ExclusionReason, InExperiment, NotInExperiment } from './assignment/assignment.types';
export { assign, type AssignOptions } from './assignment/assign';
export type { Metric, MetricDefinition, MetricKind } from './metrics/metric.types';
export { defineMetric } from './metrics/define-metric';
export { LEARNING_METRICS } from './metrics/learning-metrics.catalog';
export {
  ExperimentDirectory,
  type ApplyOutcome,
  type ExperimentChange,
  type ModelRouting,
} from './directory/experiment-directory';
