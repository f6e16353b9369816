// Feature views: declarative definitions, tiled aggregate state, as-of evaluation, the online-store interface and its in-memory store
export * from './definition/feature-view.types';
export { defineFeatureView } from './definition/feature-view.builder';
export { parseDuration, DAY_MS, HOUR_MS, MINUTE_MS } from './definition/duration';
export {
  emptyState,
  isEntityState,
  type EntityState,
  type ViewState,
  type ExactInt,
  type Partial as TilePartial,
} from './engine/entity-state';
export {
  FeatureRegistry,
  createFeatureRegistry,
  stateIsCurrent,
  DEFAULT_ALLOWED_LATENESS_MS,
  type FeatureRegistryOptions,
} from './engine/feature-registry';
export { applyEvents, foldEvents, cloneState, type ApplyCounts, type ApplyResult } from './engine/apply-events';
export { evaluate, evaluateViewColumns, canEvaluateAt, AsOfBeforeWatermarkError } from './engine/evaluate';
export { replayEvents, evaluateOffline, byTimeThenId, entityHistories } from './engine/replay';
export { asOfDependence, isTileInvariant } from './engine/as-of-dependence';
export type { AsOfDependence } from './aggregations/aggregation.types';
export type { TopKEntry } from './aggregations/top-k.aggregation';
export * from './store/online-store';
export * from './store/in-memory-online-store';
export * from './store/fold-batch';
export * from './store/rebuild-states';
export * from './training/training-set.builder';
export * from './vector/feature-vector';
export * from './learning-engagement/event-schema';
export * from './learning-engagement/learning-engagement';
export * from './store/state-cache';
// The serving path: as-of reads online with the replay fallback, batch answers and their encoding
export * from './serving/read-answer.types';
export { FeatureReader, type FeatureReaderOptions } from './serving/feature-reader';
export { EvaluatedViews, EPOCH_MS, epochOf, type EvaluatedViewsOptions } from './serving/evaluated-views.cache';
export * from './serving/batch-response.writer';
export * from './serving/query-parsing';
export * from './serving/feature-view.description';
