// Metrics on predicted class labels (integers). Turn probabilities into labels with
// `thresholdLabels` (binary) or `argmaxRows` (multiclass) first.
import { assertNumbers, checkPair, type Numbers } from './guards';

export interface AccuracyOptions {
  /** Per-row sample weights; default: all 1. */
  weights?: Numbers;
}

/** Weighted fraction of rows whose predicted label equals the true label. */
export function accuracy(yTrue: Numbers, yPred: Numbers, options: AccuracyOptions = {}): number {
  const w = checkPair(yTrue, yPred, options.weights);
  let hit = 0;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] === yPred[i]) hit += w(i);
    total += w(i);
  }
  return hit / total;
}

/** Weighted fraction of rows whose predicted label differs from the true label (1 - accuracy, counted directly). */
export function classificationError(yTrue: Numbers, yPred: Numbers, options: AccuracyOptions = {}): number {
  const w = checkPair(yTrue, yPred, options.weights);
  let miss = 0;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] !== yPred[i]) miss += w(i);
    total += w(i);
  }
  return miss / total;
}

export interface ThresholdOptions {
  /** Label 1 only where P(y = 1) > threshold (XGBoost's `error` convention); default false (>=). */
  strict?: boolean;
}

/** 1 where P(y = 1) >= threshold (default 0.5; > with `strict`), else 0. */
export function thresholdLabels(probs: Numbers, threshold = 0.5, options: ThresholdOptions = {}): Int32Array {
  assertNumbers(probs, 'probs');
  const out = new Int32Array(probs.length);
  if (options.strict) for (let i = 0; i < probs.length; i++) out[i] = probs[i] > threshold ? 1 : 0;
  else for (let i = 0; i < probs.length; i++) out[i] = probs[i] >= threshold ? 1 : 0;
  return out;
}

/** The most probable class of each row of a row-major (numRows x numClass) matrix; first wins on ties. */
export function argmaxRows(probs: Numbers, numClass: number): Int32Array {
  assertNumbers(probs, 'probs');
  if (!Number.isInteger(numClass) || numClass < 1)
    throw new RangeError(`numClass must be an integer >= 1, got ${numClass}`);
  if (probs.length % numClass !== 0)
    throw new RangeError(`probs has ${probs.length} values, not a multiple of numClass ${numClass}`);
  const n = probs.length / numClass;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < numClass; c++) if (probs[i * numClass + c] > probs[i * numClass + best]) best = c;
    out[i] = best;
  }
  return out;
}

export interface ConfusionMatrix {
  /** The class labels, ascending; row/column i of `matrix` is labels[i]. */
  labels: number[];
  /** matrix[t][p] = (weighted) count of rows with true labels[t] predicted as labels[p] (sklearn's layout). */
  matrix: number[][];
}

export interface ConfusionOptions {
  /** The classes to report, in this order; default: every label seen in yTrue or yPred, ascending. */
  labels?: number[];
  weights?: Numbers;
}

export function confusionMatrix(yTrue: Numbers, yPred: Numbers, options: ConfusionOptions = {}): ConfusionMatrix {
  const w = checkPair(yTrue, yPred, options.weights);
  const labels = options.labels ?? observedLabels(yTrue, yPred);
  if (!Array.isArray(labels) || labels.length === 0) throw new RangeError('labels must be a non-empty array');
  const index = new Map<number, number>();
  labels.forEach((l, i) => index.set(l, i));
  const matrix = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]);
    const p = index.get(yPred[i]);
    if (t !== undefined && p !== undefined) matrix[t][p] += w(i);
  }
  return { labels, matrix };
}

export interface PrecisionRecallOptions {
  /**
   * 'binary' (default): the scores of `positiveLabel` only; 'macro': the unweighted mean of the
   * per-class scores over `labels` (default every label seen in yTrue or yPred), as sklearn.
   */
  average?: 'binary' | 'macro';
  /** The positive class for average 'binary'; default 1. */
  positiveLabel?: number;
  labels?: number[];
  /** Value of a ratio whose denominator is 0 (no predicted / no true positives); default 0, as sklearn. */
  zeroDivision?: number;
  weights?: Numbers;
}

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

/** Precision, recall and F1 in one pass (sklearn's precision_recall_fscore_support semantics). */
export function precisionRecallF1(
  yTrue: Numbers,
  yPred: Numbers,
  options: PrecisionRecallOptions = {},
): PrecisionRecallF1 {
  const average = options.average ?? 'binary';
  if (average !== 'binary' && average !== 'macro')
    throw new RangeError(`average must be 'binary' or 'macro', got ${String(average)}`);
  const zero = options.zeroDivision ?? 0;
  const w = checkPair(yTrue, yPred, options.weights);
  const classes =
    average === 'binary' ? [options.positiveLabel ?? 1] : (options.labels ?? observedLabels(yTrue, yPred));
  let sp = 0;
  let sr = 0;
  let sf = 0;
  for (const c of classes) {
    let tp = 0;
    let predicted = 0;
    let actual = 0;
    for (let i = 0; i < yTrue.length; i++) {
      const t = yTrue[i] === c;
      const p = yPred[i] === c;
      if (t && p) tp += w(i);
      if (p) predicted += w(i);
      if (t) actual += w(i);
    }
    const precision = predicted > 0 ? tp / predicted : zero;
    const recall = actual > 0 ? tp / actual : zero;
    // sklearn: F1 = 2tp / (predicted + actual), zeroDivision when both are empty.
    const f1 = predicted + actual > 0 ? (2 * tp) / (predicted + actual) : zero;
    sp += precision;
    sr += recall;
    sf += f1;
  }
  return { precision: sp / classes.length, recall: sr / classes.length, f1: sf / classes.length };
}

export const precision = (yTrue: Numbers, yPred: Numbers, options: PrecisionRecallOptions = {}): number =>
  precisionRecallF1(yTrue, yPred, options).precision;
export const recall = (yTrue: Numbers, yPred: Numbers, options: PrecisionRecallOptions = {}): number =>
  precisionRecallF1(yTrue, yPred, options).recall;
export const f1Score = (yTrue: Numbers, yPred: Numbers, options: PrecisionRecallOptions = {}): number =>
  precisionRecallF1(yTrue, yPred, options).f1;

function observedLabels(a: Numbers, b: Numbers): number[] {
  const set = new Set<number>();
  for (let i = 0; i < a.length; i++) set.add(a[i]);
  for (let i = 0; i < b.length; i++) set.add(b[i]);
  return [...set].sort((x, y) => x - y);
}
