// Model specs: declared models, their request-time and derived features, labels and the input vector shared by training and inference
export * from './spec/model-spec.types';
export { defineModelSpec, parseOffset } from './spec/define-model-spec';
export * from './request/request-feature.types';
export { REQUEST_FEATURES } from './request/request-feature.registry';
export * from './derived/derived-feature.types';
export { DERIVED_FEATURES } from './derived/derived-feature.registry';
export { circularHourDistance } from './derived/hour-distance.derived-feature';
export * from './labels/label.types';
export { LABELS } from './labels/label.registry';
export { activeDays } from './labels/activity-change.label';
export { triggerPoints } from './triggers/trigger-points';
export * from './vector/model-input';
export * from './defaults/default-models';
