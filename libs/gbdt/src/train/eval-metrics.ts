/**
 * The few metrics early stopping needs, computed on predictions (probabilities / values), with
 * XGBoost's conventions. @pulse/ml-metrics is the library the services use; these stay here so the
 * training loop has no dependency on it (to be unified later).
 */
import type { EvalMetric } from './params';
import { ndcgDiscount, ndcgGain } from './objectives';

export function higherIsBetter(metric: EvalMetric): boolean {
  return metric === 'auc' || metric.startsWith('ndcg');
}

/** ROC AUC with ties counted half (weights ignored). */
export function aucScore(label: ArrayLike<number>, score: ArrayLike<number>): number {
  const n = label.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const s = Float64Array.from(score as ArrayLike<number>);
  order.sort((a, b) => s[a] - s[b]);
  let pos = 0;
  for (let i = 0; i < n; i++) if (label[i] > 0.5) pos++;
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && s[order[j + 1]] === s[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (label[order[k]] > 0.5) rankSum += avgRank;
    i = j + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

function weighted(weight: ArrayLike<number> | undefined, i: number): number {
  return weight === undefined ? 1 : weight[i];
}

/** Mean NDCG@k over queries (gain 2^rel - 1); a query whose ideal DCG is 0 counts as 1, as in XGBoost. */
export function ndcgAt(label: ArrayLike<number>, score: ArrayLike<number>, group: ArrayLike<number>, k: number): number {
  let sum = 0;
  let start = 0;
  for (let q = 0; q < group.length; q++) {
    const n = group[q];
    const idx = Array.from({ length: n }, (_, i) => start + i);
    const byScore = idx.slice().sort((a, b) => score[b] - score[a] || a - b);
    const ideal = idx.slice().sort((a, b) => label[b] - label[a]);
    let dcg = 0;
    let idcg = 0;
    for (let p = 0; p < Math.min(k, n); p++) {
      dcg += ndcgGain(label[byScore[p]]) * ndcgDiscount(p);
      idcg += ndcgGain(label[ideal[p]]) * ndcgDiscount(p);
    }
    sum += idcg > 0 ? dcg / idcg : 1;
    start += n;
  }
  return group.length > 0 ? sum / group.length : Number.NaN;
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
  const n = label.length;
  let num = 0;
  let den = 0;
  switch (metric) {
    case 'auc':
      return aucScore(label, pred);
    case 'logloss':
      for (let i = 0; i < n; i++) {
        const p = Math.min(Math.max(pred[i], 1e-16), 1 - 1e-16);
        const w = weighted(weight, i);
        num -= w * (label[i] > 0.5 ? Math.log(p) : Math.log(1 - p));
        den += w;
      }
      return num / den;
    case 'error':
      for (let i = 0; i < n; i++) {
        const w = weighted(weight, i);
        if (pred[i] > 0.5 !== label[i] > 0.5) num += w;
        den += w;
      }
      return num / den;
    case 'mlogloss':
      for (let i = 0; i < n; i++) {
        const w = weighted(weight, i);
        num -= w * Math.log(Math.min(Math.max(pred[i * numClass + label[i]], 1e-16), 1 - 1e-16));
        den += w;
      }
      return num / den;
    case 'merror':
      for (let i = 0; i < n; i++) {
        let arg = 0;
        for (let k = 1; k < numClass; k++) if (pred[i * numClass + k] > pred[i * numClass + arg]) arg = k;
        const w = weighted(weight, i);
        if (arg !== label[i]) num += w;
        den += w;
      }
      return num / den;
    case 'rmse':
      for (let i = 0; i < n; i++) {
        const w = weighted(weight, i);
        num += w * (pred[i] - label[i]) ** 2;
        den += w;
      }
      return Math.sqrt(num / den);
    case 'mae':
      for (let i = 0; i < n; i++) {
        const w = weighted(weight, i);
        num += w * Math.abs(pred[i] - label[i]);
        den += w;
      }
      return num / den;
    default: {
      if (!group) throw new RangeError(`${metric} needs query groups in the evaluation data`);
      const k = metric === 'ndcg' ? Infinity : Number(metric.slice(5));
      return ndcgAt(label, pred, group, k);
    }
  }
}
