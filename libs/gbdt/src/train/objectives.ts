/**
 * Gradients and hessians of the objectives, as XGBoost 1.7.4 defines them (binary:logistic and
 * reg:squarederror are computed with their quantization scale in hist-kernel.ts):
 * - multi:softprob: g_k = (p_k - [y = k]) w, h_k = max(2 p_k (1 - p_k), 1e-16) w (XGBoost's factor 2);
 * - rank:ndcg: LambdaRank pairs weighted by |delta NDCG| (see lambdaRankQuery).
 * Output is interleaved [g0, h0, g1, h1, ...] in float32.
 */
import type { LambdaRankPairMethod } from './params';
import type { Prng } from '@pulse/core';

const EPS = 1e-16;

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Row-major softmax probabilities of margins (numRows x K). */
export function softmaxRows(margin: Float64Array, K: number, out: Float64Array): void {
  for (let base = 0; base < margin.length; base += K) {
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (margin[base + k] > max) max = margin[base + k];
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(margin[base + k] - max);
      out[base + k] = e;
      sum += e;
    }
    for (let k = 0; k < K; k++) out[base + k] /= sum;
  }
}

/** Class k's gradients from row-major probabilities (numRows x K). */
export function softmaxGradients(
  prob: Float64Array,
  K: number,
  k: number,
  label: ArrayLike<number>,
  weight: ArrayLike<number> | null,
  out: Float32Array,
): void {
  const n = label.length;
  for (let r = 0; r < n; r++) {
    const p = prob[r * K + k];
    const w = weight === null ? 1 : weight[r];
    out[2 * r] = (label[r] === k ? p - 1 : p) * w;
    out[2 * r + 1] = Math.max(2 * p * (1 - p), EPS) * w;
  }
}

export interface LambdaRankOptions {
  method: LambdaRankPairMethod;
  numPairPerSample: number;
  rng: Prng;
}

/** DCG gain of a relevance label (2^rel - 1) and discount of a 0-based position (1 / log2(pos + 2)). */
export function ndcgGain(rel: number): number {
  return Math.pow(2, rel) - 1;
}
export function ndcgDiscount(pos: number): number {
  return 1 / Math.log2(pos + 2);
}

/**
 * |delta NDCG| of swapping the documents at 0-based positions i and j (ranked by current score),
 * normalised by the query's ideal DCG (0 when the ideal DCG is 0).
 */
export function pairDeltaNdcg(relI: number, posI: number, relJ: number, posJ: number, idcg: number): number {
  if (idcg <= 0) return 0;
  return Math.abs((ndcgGain(relI) - ndcgGain(relJ)) * (ndcgDiscount(posI) - ndcgDiscount(posJ))) / idcg;
}

/**
 * LambdaRank gradients of one query (rows [start, end)), written into out (accumulated from zero).
 * For a pair (hi, lo) with label hi > label lo and weight w = |delta NDCG| * scale:
 *   p = sigmoid(s_hi - s_lo); g_hi += (p - 1) w; g_lo -= (p - 1) w; h_hi, h_lo += 2 max(p (1 - p), 1e-16) w
 * as XGBoost 1.7.4's rank:ndcg. Pairs: 'mean' samples numPairPerSample partners with another label
 * per document (XGBoost's scheme, scale 1 / numPairPerSample); 'all' takes every pair (scale 1).
 * `weight` is the query's weight (XGBoost weights ranking by group).
 */
export function lambdaRankQuery(
  score: ArrayLike<number>,
  label: ArrayLike<number>,
  start: number,
  end: number,
  weight: number,
  opts: LambdaRankOptions,
  out: Float32Array,
): void {
  const n = end - start;
  for (let i = start; i < end; i++) {
    out[2 * i] = 0;
    out[2 * i + 1] = 0;
  }
  if (n < 2) return;
  // position of each document when ranked by score (ties keep input order, as a stable sort does)
  const byScore = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[start + b] - score[start + a] || a - b);
  const pos = new Int32Array(n);
  byScore.forEach((doc, p) => (pos[doc] = p));
  const byLabel = Array.from({ length: n }, (_, i) => i).sort((a, b) => label[start + b] - label[start + a] || a - b);
  let idcg = 0;
  byLabel.forEach((doc, p) => (idcg += ndcgGain(label[start + doc]) * ndcgDiscount(p)));
  if (idcg <= 0) return;

  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const addPair = (hi: number, lo: number, scale: number): void => {
    const w = pairDeltaNdcg(label[start + hi], pos[hi], label[start + lo], pos[lo], idcg) * scale * weight;
    if (w === 0) return;
    const p = sigmoid(score[start + hi] - score[start + lo]);
    const gg = (p - 1) * w;
    const hh = 2 * Math.max(p * (1 - p), EPS) * w;
    g[hi] += gg;
    g[lo] -= gg;
    h[hi] += hh;
    h[lo] += hh;
  };

  if (opts.method === 'all') {
    for (let a = 0; a < n; a++) {
      const la = label[start + a];
      for (let b = 0; b < n; b++) if (la > label[start + b]) addPair(a, b, 1);
    }
  } else {
    // XGBoost 1.7.4: buckets of equal label in label order; each document draws partners outside its bucket
    const scale = 1 / opts.numPairPerSample;
    for (let i = 0; i < n;) {
      let j = i + 1;
      while (j < n && label[start + byLabel[j]] === label[start + byLabel[i]]) j++;
      const nleft = i;
      const nright = n - j;
      if (nleft + nright > 0) {
        for (let s = 0; s < opts.numPairPerSample; s++) {
          for (let d = i; d < j; d++) {
            const ridx = opts.rng.nextInt(nleft + nright);
            if (ridx < nleft) addPair(byLabel[ridx], byLabel[d], scale);
            else addPair(byLabel[d], byLabel[ridx + j - i], scale);
          }
        }
      }
      i = j;
    }
  }
  for (let i = 0; i < n; i++) {
    out[2 * (start + i)] = g[i];
    out[2 * (start + i) + 1] = h[i];
  }
}
