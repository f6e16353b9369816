/**
 * The tree parameters both default models start from: a slow learning rate with early stopping on the
 * validation split (the round count is a cap), shallow-ish trees and row/column sampling against the
 * simulator's per-learner noise, and a fixed seed so a retrain on the same data gives the same model.
 */
export const DEFAULT_TREE_PARAMS = {
  eta: 0.05,
  max_depth: 5,
  min_child_weight: 5,
  subsample: 0.8,
  colsample_bytree: 0.8,
  lambda: 2,
  early_stopping_rounds: 40,
  seed: 42,
} as const;

/** Profile attributes the default models' fairness is judged over. */
export const DEFAULT_FAIRNESS_ATTRIBUTES = ['role', 'region'];
