/**
 * Confidence-based performance estimation of ROC AUC (as NannyML's CBPE) before labels exist: each
 * prediction counts as p positive and 1 − p negative, where p is its calibrated probability. The
 * expected true- and false-positive rates at every threshold trace an expected ROC curve whose area
 * (trapezoids, ties moved together) is the estimate. NaN when every score is 0 or every score is 1.
 * Only as good as the calibration: with calibrated scores it is unbiased for the realised AUC.
 */
export function estimatedAuc(probabilities: ArrayLike<number>): number {
  const n = probabilities.length;
  if (typeof n !== 'number') throw new TypeError('probabilities must be an array of numbers');
  const p = Float64Array.from(probabilities as ArrayLike<number>);
  for (let i = 0; i < n; i++)
    if (!(p[i] >= 0 && p[i] <= 1)) throw new RangeError(`probabilities[${i}] must be in [0, 1], got ${p[i]}`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b] - p[a]);
  let positives = 0;
  let negatives = 0;
  for (let i = 0; i < n; i++) {
    positives += p[i];
    negatives += 1 - p[i];
  }
  if (positives === 0 || negatives === 0) return NaN;
  let tp = 0;
  let area = 0;
  for (let k = 0; k < n;) {
    const score = p[order[k]];
    let dtp = 0;
    let dfp = 0;
    // Tied scores move the curve together (one diagonal step), as ROC AUC counts ties as halves.
    for (; k < n && p[order[k]] === score; k++) {
      dtp += p[order[k]];
      dfp += 1 - p[order[k]];
    }
    area += (dfp / negatives) * ((tp + tp + dtp) / (2 * positives));
    tp += dtp;
  }
  return area;
}
