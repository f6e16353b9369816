// Serving models: verified ONNX sessions swapped in place, scoring, risk tiers, explanations and the rule-based fallbacks
export * from './loading/model-version.types';
export * from './loading/model-refused.error';
export { loadServableModel, TEST_SAMPLE_TOLERANCE, type LoadModelOptions } from './loading/model-loader';
export { ServableModel, type ServableModelInit, type ServableTask } from './loading/servable-model';
export type { OrtSessionOptions } from './loading/onnx-runtime';
export * from './serving/serving-table';
export * from './scoring/scored-prediction.types';
export { buildModelInput, inputStaleness } from './scoring/model-input';
export { classOutcome, type ClassOutcome } from './scoring/class-outcome';
export { DEFAULT_TOP_FACTORS, topFactors } from './scoring/top-factors';
export * from './scoring/prediction-scorer';
export * from './risk/risk-tier.types';
export { DEFAULT_RISK_THRESHOLDS, binaryRiskTier } from './risk/binary.risk-tier';
export { multiclassRiskTier } from './risk/multiclass.risk-tier';
export { RISK_TIER_RULES, riskTierRule } from './risk/risk-tier.registry';
export { MODEL_RISK_DEFAULTS, riskOptionsFor } from './risk/risk-defaults';
export * from './fallbacks/fallback.types';
export { FALLBACK_RULES, fallbackFor } from './fallbacks/fallback.registry';
export { LESSON_COMPLETION_PRIOR, lessonCompletionFallback } from './fallbacks/lesson-completion.fallback';
export {
  DROPOUT_FALLBACK_CUTS,
  DROPOUT_FALLBACK_PRIOR,
  DROPOUT_FALLBACK_SHARE,
  dropoutRiskFallback,
} from './fallbacks/dropout-risk.fallback';
export * from './fallbacks/fallback-prediction';
// Batch scoring: many entities as of one time, a chunk per feature read and onnxruntime call
export * from './batch/batch-score.types';
export { DEFAULT_BATCH_CHUNK, MAX_BATCH_CHUNK, scoreEntities } from './batch/batch-scorer';
export { ScoredChunk, type ScoredChunkInit } from './batch/scored-chunk';
export { entityValues, viewGroups, type ViewGroup } from './batch/feature-rows';
