/**
 * The metrics early stopping watches, by their XGBoost names, mapped onto @pulse/ml-metrics (the one
 * implementation of each metric). XGBoost's conventions where they differ from ml-metrics' defaults:
 * probabilities clipped at 1e-16 for logloss / mlogloss, `error` counting P(1) > 0.5 as positive,
 * an all-irrelevant query scoring 1 in NDCG. Sample weights weight every metric except NDCG.
 */
import {
  argmaxRows,
  auc,
  classificationError,
  logloss,
  mae,
  multiclassLogloss,
  ndcgAtK,
  rmse,
  thresholdLabels,
} from '@pulse/ml-metrics';
import type { EvalMetric } from './params';

/** XGBoost's probability clipping in logloss / mlogloss. */
const LOG_EPS = 1e-16;

export function higherIsBetter(metric: EvalMetric): boolean {
  return metric === 'auc' || metric.startsWith('ndcg');
}

/** ROC AUC with ties counted half (label > 0.5 is positive); NaN when only one class is present. */
export function aucScore(label: ArrayLike<number>, score: ArrayLike<number>, weight?: ArrayLike<number>): number {
  let pos = 0;
  let binary = true;
  for (let i = 0; i < label.length; i++) {
    if (label[i] > 0.5) pos++;
    if (label[i] !== 0 && label[i] !== 1) binary = false;
  }
  if (pos === 0 || pos === label.length) return Number.NaN;
  const y = binary ? label : Uint8Array.from(label as ArrayLike<number>, (v) => (v > 0.5 ? 1 : 0));
  return auc(y, score, weight === undefined ? {} : { weights: weight });
}

/** Mean NDCG@k over queries (gain 2^rel - 1); a query whose ideal DCG is 0 counts as 1, as in XGBoost. */
export function ndcgAt(
  label: ArrayLike<number>,
  score: ArrayLike<number>,
  group: ArrayLike<number>,
  k: number,
): number {
  if (group.length === 0) return Number.NaN;
  return ndcgAtK(label, score, k, { group });
}

/**
 * Metric of predictions `pred` (binary: P(1); multiclass: row-major probabilities; otherwise values)
 * against `label`. `group` is needed for ndcg.
 */
export function evaluateMetric(
  metric: EvalMetric,
  pred: Float64Array,
  label: ArrayLike<number>,
  numClass: number,
  weight?: ArrayLike<number>,
  group?: ArrayLike<number>,
): number {
  const weights = weight === undefined ? {} : { weights: weight };
  switch (metric) {
    case 'auc':
      return aucScore(label, pred, weight);
    case 'logloss':
      return logloss(label, pred, { ...weights, eps: LOG_EPS });
    case 'error':
      return classificationError(label, thresholdLabels(pred, 0.5, { strict: true }), weights);
    case 'mlogloss':
      return multiclassLogloss(label, pred, { ...weights, numClass, eps: LOG_EPS });
    case 'merror':
      return classificationError(label, argmaxRows(pred, numClass), weights);
    case 'rmse':
      return rmse(label, pred, weights);
    case 'mae':
      return mae(label, pred, weights);
    default: {
      if (!group) throw new RangeError(`${metric} needs query groups in the evaluation data`);
      return ndcgAt(label, pred, group, metric === 'ndcg' ? Infinity : Number(metric.slice(5)));
    }
  }
}
