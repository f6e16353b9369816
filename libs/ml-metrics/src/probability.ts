// Metrics on predicted probabilities (binary unless said otherwise). Labels are 0/1; weights are
// optional per-row sample weights (>= 0) and every average is weighted by them.
import {
  assertBinaryLabels,
  assertInteger,
  assertNonEmpty,
  assertNumbers,
  assertPositive,
  checkPair,
  weightAccessor,
  type Numbers,
} from './guards';

export interface WeightOptions {
  /** Per-row sample weights; default: all 1. */
  weights?: Numbers;
}

/**
 * Area under the ROC curve, exact: the Mann–Whitney statistic, i.e. the (weighted) fraction of
 * (positive, negative) pairs where the positive scores higher, a tie counting one half — the same
 * number as sklearn's roc_auc_score. Throws RangeError when only one class is present (AUC undefined).
 */
export function auc(yTrue: Numbers, scores: Numbers, options: WeightOptions = {}): number {
  const w = checkPair(yTrue, scores, options.weights, ['yTrue', 'scores']);
  assertBinaryLabels(yTrue);
  const n = yTrue.length;
  for (let i = 0; i < n; i++) if (Number.isNaN(scores[i])) throw new RangeError(`scores[${i}] is NaN`);
  return options.weights === undefined ? unweightedAuc(yTrue, scores) : weightedAuc(yTrue, scores, w);
}

/**
 * Unweighted AUC without an index sort: the scores of each class are copied into a Float64Array
 * and sorted natively (numeric typed-array sort, several times faster than sorting indices with a
 * comparator: ~0.1 s for 800k rows), then one merge counts, for every positive, the negatives
 * below it and half those tied with it. All counts are integers (or halves), so the result is exact.
 */
function unweightedAuc(yTrue: Numbers, scores: Numbers): number {
  const n = yTrue.length;
  let numPos = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === 1) numPos++;
  const numNeg = n - numPos;
  if (numPos === 0 || numNeg === 0)
    throw new RangeError('yTrue must contain both classes (with positive weight) for AUC');
  const pos = new Float64Array(numPos);
  const neg = new Float64Array(numNeg);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (yTrue[i] === 1) pos[p++] = scores[i];
    else neg[q++] = scores[i];
  }
  pos.sort();
  neg.sort();
  let area = 0;
  let below = 0; // negatives < the current positive score
  for (let i = 0; i < numPos;) {
    const s = pos[i];
    let j = i;
    while (j < numPos && pos[j] === s) j++;
    while (below < numNeg && neg[below] < s) below++;
    let tied = below;
    while (tied < numNeg && neg[tied] === s) tied++;
    area += (j - i) * (below + 0.5 * (tied - below));
    i = j;
  }
  return area / (numPos * numNeg);
}

function weightedAuc(yTrue: Numbers, scores: Numbers, w: (i: number) => number): number {
  const n = yTrue.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a] - scores[b]);
  let negBelow = 0;
  let area = 0;
  let totalPos = 0;
  for (let start = 0; start < n;) {
    let end = start;
    let pos = 0;
    let neg = 0;
    const s = scores[order[start]];
    while (end < n && scores[order[end]] === s) {
      const i = order[end];
      if (yTrue[i] === 1) pos += w(i);
      else neg += w(i);
      end++;
    }
    area += pos * (negBelow + 0.5 * neg);
    negBelow += neg;
    totalPos += pos;
    start = end;
  }
  if (totalPos <= 0 || negBelow <= 0)
    throw new RangeError('yTrue must contain both classes (with positive weight) for AUC');
  return area / (totalPos * negBelow);
}

export interface LoglossOptions extends WeightOptions {
  /**
   * Probabilities are clipped to [eps, 1 - eps] before the log, as sklearn 1.2 does; default
   * Number.EPSILON (2^-52, sklearn 1.2's eps='auto' for float64 input).
   */
  eps?: number;
}

/** Binary cross-entropy of P(y = 1), weighted mean over rows (sklearn's log_loss for two classes). */
export function logloss(yTrue: Numbers, probs: Numbers, options: LoglossOptions = {}): number {
  checkPair(yTrue, probs, options.weights, ['yTrue', 'probs']);
  assertBinaryLabels(yTrue);
  const eps = epsOf(options);
  const weights = options.weights;
  let sum = 0;
  let wsum = 0;
  // the weights array is read directly (not through w) so this loop stays cheap on large validation sets
  for (let i = 0; i < yTrue.length; i++) {
    const p = probs[i];
    if (!(p >= 0 && p <= 1)) assertProbability(p, `probs[${i}]`);
    const c = p < eps ? eps : p > 1 - eps ? 1 - eps : p;
    const wi = weights === undefined ? 1 : weights[i];
    sum += wi * -(yTrue[i] === 1 ? Math.log(c) : Math.log(1 - c));
    wsum += wi;
  }
  return sum / wsum;
}

export interface MulticlassLoglossOptions extends LoglossOptions {
  /** Number of classes; default probs.length / yTrue.length. */
  numClass?: number;
}

/**
 * Multiclass cross-entropy. `probs` is row-major (row i's class k at i * numClass + k), the layout of
 * the engine's multiclass predictions. As sklearn 1.2: each probability is clipped to
 * [eps, 1 - eps] and the row renormalised to sum 1 before taking -log p[label].
 */
export function multiclassLogloss(yTrue: Numbers, probs: Numbers, options: MulticlassLoglossOptions = {}): number {
  const { k, w } = checkRowMajor(yTrue, probs, options);
  const eps = epsOf(options);
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    let rowSum = 0;
    for (let c = 0; c < k; c++) rowSum += clip(probs[i * k + c], eps, `probs[${i * k + c}]`);
    const p = clip(probs[i * k + yTrue[i]], eps, 'probs') / rowSum;
    sum += w(i) * -Math.log(p);
    wsum += w(i);
  }
  return sum / wsum;
}

/** Mean squared difference between P(y = 1) and the 0/1 label (weighted). */
export function brierScore(yTrue: Numbers, probs: Numbers, options: WeightOptions = {}): number {
  const w = checkPair(yTrue, probs, options.weights, ['yTrue', 'probs']);
  assertBinaryLabels(yTrue);
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    assertProbability(probs[i], `probs[${i}]`);
    const d = probs[i] - yTrue[i];
    sum += w(i) * d * d;
    wsum += w(i);
  }
  return sum / wsum;
}

export interface CalibrationOptions extends WeightOptions {
  /** Number of equal-width bins over [0, 1]; default 10. */
  bins?: number;
}

/**
 * Expected calibration error of P(y = 1): rows go into `bins` EQUAL-WIDTH bins over [0, 1]
 * (bin b holds p in [b/n, (b+1)/n), the last bin also holds p = 1), and
 * ECE = sum over bins of (bin weight / total weight) * |mean label - mean probability|.
 */
export function expectedCalibrationError(yTrue: Numbers, probs: Numbers, options: CalibrationOptions = {}): number {
  const w = checkPair(yTrue, probs, options.weights, ['yTrue', 'probs']);
  assertBinaryLabels(yTrue);
  const bins = options.bins ?? 10;
  assertInteger(bins, 'bins', 1);
  const wb = new Float64Array(bins);
  const yb = new Float64Array(bins);
  const pb = new Float64Array(bins);
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const p = probs[i];
    assertProbability(p, `probs[${i}]`);
    const b = Math.min(bins - 1, Math.floor(p * bins));
    wb[b] += w(i);
    yb[b] += w(i) * yTrue[i];
    pb[b] += w(i) * p;
    total += w(i);
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (wb[b] > 0) ece += Math.abs(yb[b] - pb[b]) / total;
  }
  return ece;
}

/** Validates a row-major probability matrix against integer labels 0..K-1. */
export function checkRowMajor(
  yTrue: Numbers,
  probs: Numbers,
  options: { numClass?: number; weights?: Numbers },
): { k: number; w: (i: number) => number } {
  assertNumbers(yTrue, 'yTrue');
  assertNumbers(probs, 'probs');
  assertNonEmpty(yTrue, 'yTrue');
  const w = weightAccessor(options.weights, yTrue.length);
  const k = options.numClass ?? probs.length / yTrue.length;
  if (!Number.isInteger(k) || k < 2) {
    throw new RangeError(
      `probs has ${probs.length} values for ${yTrue.length} rows: expected numClass (>= 2) values per row`,
    );
  }
  if (probs.length !== k * yTrue.length) {
    throw new RangeError(`probs has ${probs.length} values, expected ${yTrue.length} rows x ${k} classes`);
  }
  for (let i = 0; i < yTrue.length; i++) {
    const y = yTrue[i];
    if (!Number.isInteger(y) || y < 0 || y >= k)
      throw new RangeError(`yTrue[${i}] must be an integer class in [0, ${k - 1}], got ${y}`);
  }
  return { k, w };
}

function epsOf(options: LoglossOptions): number {
  const eps = options.eps ?? Number.EPSILON;
  assertPositive(eps, 'eps');
  if (eps >= 0.5) throw new RangeError(`eps must be < 0.5, got ${eps}`);
  return eps;
}

function clip(p: number, eps: number, name: string): number {
  assertProbability(p, name);
  return p < eps ? eps : p > 1 - eps ? 1 - eps : p;
}

function assertProbability(p: number, name: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${name} must be a probability in [0, 1], got ${p}`);
}

/**
 * Hanley & McNeil's (1982) standard error of an AUC from `positives` and `negatives` rows:
 * SE² = [A(1−A) + (n₊−1)(Q₁−A²) + (n₋−1)(Q₂−A²)] / (n₊n₋), with Q₁ = A/(2−A), Q₂ = 2A²/(1+A).
 * What a window's AUC varies by from sampling alone (e.g. ±0.03 over a few hundred rows).
 */
export function aucStandardError(auc: number, positives: number, negatives: number): number {
  if (!(auc >= 0 && auc <= 1)) throw new RangeError(`auc must be in [0, 1], got ${auc}`);
  assertInteger(positives, 'positives', 1);
  assertInteger(negatives, 'negatives', 1);
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const a2 = auc * auc;
  const variance =
    (auc * (1 - auc) + (positives - 1) * (q1 - a2) + (negatives - 1) * (q2 - a2)) / (positives * negatives);
  return Math.sqrt(Math.max(0, variance));
}
