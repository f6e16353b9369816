/**
 * Leaf weights, gains and split search on a histogram, with XGBoost's formulas (src/tree/param.h):
 *   weight w = -T(G, alpha) / (H + lambda), clipped to +-max_delta_step when it is set,
 *   gain(G, H) = T(G, alpha)^2 / (H + lambda)   (or -(2Gw + (H + lambda)w^2) + alpha|w| with max_delta_step),
 * where T is L1 soft-thresholding. A split's loss change is gain(left) + gain(right) - gain(parent);
 * it is kept when it exceeds 1e-6 and gamma, and both children satisfy min_child_weight and
 * min_data_in_leaf.
 */
import type { BinMapper } from './binning';

export interface SplitParams {
  lambda: number;
  alpha: number;
  minChildWeight: number;
  minDataInLeaf: number;
  maxDeltaStep: number;
  gamma: number;
}

export function thresholdL1(g: number, alpha: number): number {
  if (g > alpha) return g - alpha;
  if (g < -alpha) return g + alpha;
  return 0;
}

/** Leaf weight before the learning rate. */
export function leafWeight(G: number, H: number, p: SplitParams): number {
  if (H < p.minChildWeight || H <= 0) return 0;
  const t = thresholdL1(G, p.alpha);
  if (t === 0) return 0; // not -0: JSON would not round-trip the sign
  let w = -t / (H + p.lambda);
  if (p.maxDeltaStep !== 0 && Math.abs(w) > p.maxDeltaStep) w = w > 0 ? p.maxDeltaStep : -p.maxDeltaStep;
  return w;
}

export function nodeGain(G: number, H: number, p: SplitParams): number {
  if (H < p.minChildWeight || H <= 0) return 0;
  if (p.maxDeltaStep === 0) {
    const t = p.alpha === 0 ? G : thresholdL1(G, p.alpha);
    return (t * t) / (H + p.lambda);
  }
  const w = leafWeight(G, H, p);
  const ret = -(2 * G * w + (H + p.lambda) * w * w);
  return p.alpha === 0 ? ret : ret + p.alpha * Math.abs(w);
}

export interface SplitCandidate {
  /** Loss change; -Infinity when no valid split. */
  gain: number;
  feature: number;
  /** Rows with bin <= bin go left. */
  bin: number;
  defaultLeft: boolean;
  leftG: number;
  leftH: number;
  leftCount: number;
}

export function emptySplit(): SplitCandidate {
  return { gain: -Infinity, feature: -1, bin: -1, defaultLeft: false, leftG: 0, leftH: 0, leftCount: 0 };
}

const RT_EPS = 1e-6;

/**
 * Best split of a node from its histogram over the given features. G, H, C: the node's totals.
 * Missing values are tried on the right (scan order) and, when the node has any, on the left.
 */
export function findBestSplit(
  hist: Float64Array,
  stride: number,
  mapper: BinMapper,
  features: Int32Array,
  G: number,
  H: number,
  C: number,
  p: SplitParams,
  out: SplitCandidate,
): SplitCandidate {
  out.gain = -Infinity;
  out.feature = -1;
  const parentGain = nodeGain(G, H, p);
  const mcw = p.minChildWeight;
  const mdl = p.minDataInLeaf;
  const withCount = stride === 3;
  const simple = p.maxDeltaStep === 0 && p.alpha === 0;
  const lambda = p.lambda;
  let best = -Infinity;
  for (let fi = 0; fi < features.length; fi++) {
    const f = features[fi];
    const nb = mapper.numBins[f];
    if (nb < 2) continue;
    const off = mapper.offsets[f] * stride;
    const mo = off + nb * stride;
    const gm = hist[mo];
    const hm = hist[mo + 1];
    const cm = withCount ? hist[mo + 2] : 0;
    const hasMissing = hm !== 0 || cm !== 0 || gm !== 0;
    let gl = 0;
    let hl = 0;
    let cl = 0;
    for (let b = 0; b < nb - 1; b++) {
      const o = off + b * stride;
      gl += hist[o];
      hl += hist[o + 1];
      if (withCount) cl += hist[o + 2];
      // missing right
      {
        const gr = G - gl;
        const hr = H - hl;
        if (hl >= mcw && hr >= mcw && hl > 0 && hr > 0 && (!withCount || (cl >= mdl && C - cl >= mdl))) {
          const gain = simple
            ? (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentGain
            : nodeGain(gl, hl, p) + nodeGain(gr, hr, p) - parentGain;
          if (gain > best) {
            best = gain;
            out.feature = f;
            out.bin = b;
            out.defaultLeft = false;
            out.leftG = gl;
            out.leftH = hl;
            out.leftCount = cl;
          }
        }
      }
      if (hasMissing) {
        const gl2 = gl + gm;
        const hl2 = hl + hm;
        const cl2 = cl + cm;
        const gr = G - gl2;
        const hr = H - hl2;
        if (hl2 >= mcw && hr >= mcw && hl2 > 0 && hr > 0 && (!withCount || (cl2 >= mdl && C - cl2 >= mdl))) {
          const gain = simple
            ? (gl2 * gl2) / (hl2 + lambda) + (gr * gr) / (hr + lambda) - parentGain
            : nodeGain(gl2, hl2, p) + nodeGain(gr, hr, p) - parentGain;
          if (gain > best) {
            best = gain;
            out.feature = f;
            out.bin = b;
            out.defaultLeft = true;
            out.leftG = gl2;
            out.leftH = hl2;
            out.leftCount = cl2;
          }
        }
      }
    }
  }
  if (out.feature >= 0 && best > RT_EPS && best >= p.gamma) out.gain = best;
  else out.feature = -1;
  return out;
}
