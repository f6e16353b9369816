import type { CalibrationCurve, PrCurve, RocCurve } from './evaluation.types';

/** Most points a stored curve keeps (thinned evenly; the ends always kept). */
const MAX_POINTS = 200;

function byScoreDesc(y: ArrayLike<number>, s: ArrayLike<number>): number[] {
  return Array.from({ length: y.length }, (_, i) => i).sort((a, b) => s[b] - s[a]);
}

function thin(xs: number[], ys: number[]): { x: number[]; y: number[] } {
  if (xs.length <= MAX_POINTS) return { x: xs, y: ys };
  const keep: number[] = [];
  for (let k = 0; k < MAX_POINTS; k++) keep.push(Math.round((k * (xs.length - 1)) / (MAX_POINTS - 1)));
  return { x: keep.map((i) => xs[i]), y: keep.map((i) => ys[i]) };
}

/** ROC points at every distinct score threshold (tied scores step together), from (0,0) to (1,1). */
export function rocCurve(y: ArrayLike<number>, s: ArrayLike<number>): RocCurve {
  const order = byScoreDesc(y, s);
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i] === 1 ? 1 : 0;
  const neg = y.length - pos;
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    if (y[order[k]] === 1) tp++;
    else fp++;
    if (k === order.length - 1 || s[order[k + 1]] !== s[order[k]]) {
      fpr.push(neg ? fp / neg : 0);
      tpr.push(pos ? tp / pos : 0);
    }
  }
  const t = thin(fpr, tpr);
  return { fpr: t.x, tpr: t.y };
}

/** Precision–recall points and the average precision (sklearn's step-wise definition). */
export function prCurve(y: ArrayLike<number>, s: ArrayLike<number>): PrCurve & { averagePrecision: number } {
  const order = byScoreDesc(y, s);
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i] === 1 ? 1 : 0;
  const recall: number[] = [];
  const precision: number[] = [];
  let tp = 0;
  let ap = 0;
  let lastRecall = 0;
  for (let k = 0; k < order.length; k++) {
    if (y[order[k]] === 1) tp++;
    if (k === order.length - 1 || s[order[k + 1]] !== s[order[k]]) {
      const r = pos ? tp / pos : 0;
      const p = tp / (k + 1);
      ap += (r - lastRecall) * p;
      lastRecall = r;
      recall.push(r);
      precision.push(p);
    }
  }
  const t = thin(recall, precision);
  return { recall: t.x, precision: t.y, averagePrecision: ap };
}

/** Reliability diagram over `bins` equal-width bins of predicted probability (empty bins left out). */
export function calibrationCurve(y: ArrayLike<number>, p: ArrayLike<number>, bins = 10): CalibrationCurve {
  const sum = new Float64Array(bins);
  const hits = new Float64Array(bins);
  const count = new Float64Array(bins);
  for (let i = 0; i < y.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p[i] * bins)));
    sum[b] += p[i];
    hits[b] += y[i] === 1 ? 1 : 0;
    count[b]++;
  }
  const out = { meanPredicted: [] as number[], fractionPositive: [] as number[], count: [] as number[] };
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    out.meanPredicted.push(sum[b] / count[b]);
    out.fractionPositive.push(hits[b] / count[b]);
    out.count.push(count[b]);
  }
  return out;
}
