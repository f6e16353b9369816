/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018; the values XGBoost's pred_contribs
 * gives). The value of a feature subset S is the tree's output with the features outside S
 * marginalised by cover: at a split on a feature not in S both children count, weighted by their
 * share of the node's cover. Contributions plus bias equal the raw margin.
 *
 * Two exact algorithms:
 * - 'recursive': Lundberg's Algorithm 2 (extend / unwind of the unique path), O(L D^2) per tree.
 * - 'leafwise' (default, 3-4x faster here): the same sum regrouped per leaf. A leaf's value is a
 *   product game over the unique features D on its path: feature j contributes its one-fraction
 *   o_j (1 if the row follows the path's splits on j, else 0) when known and its zero-fraction
 *   z_j (cover share) when not. With H the features the row follows, Zc = prod of z_j outside H
 *   and c(s) = s! (|D|-1-s)! / |D|!, the Shapley values of that game are
 *     j in H:  v (1 - z_j) Zc sum_k c(|H|-1-k) e_k(z over H \ {j})
 *     j not in H:  -v Zc sum_k c(|H|-k) e_k(z over H)
 *   (e_k = elementary symmetric polynomials). One branch-free preorder pass over the internal
 *   nodes finds H for every leaf as a bit pattern; each leaf then costs O(|D| + |H|^2).
 *
 * The model is flattened once (shap-compile.ts, cached per model) and every buffer is allocated per
 * explainer, so explaining a row allocates nothing when an output buffer is passed.
 */
import type { GbdtModel } from '../model/model.types';
import { compileShap, shapleyWeights, type CompiledShap } from './shap-compile';

export interface ShapValues {
  /** Outputs explained: numClass for multi:softprob, else 1. */
  readonly numOutputs: number;
  readonly numFeatures: number;
  /** Output-major: contributions[k * numFeatures + f] is feature f's contribution to margin k. */
  readonly contributions: Float64Array;
  /** Expected margin per output (base margin plus each tree's cover-weighted mean leaf value). */
  readonly bias: Float64Array;
}

/** Longer leaf paths take directLeaf (interval tests, e_k recomputed per feature: deflation loses digits). */
const DEFLATION_MAX_FEATURES = 12;

export type ShapAlgorithm = 'leafwise' | 'recursive';

export interface ShapOptions {
  /** Default 'leafwise'; both are exact and agree to rounding. */
  algorithm?: ShapAlgorithm;
}

/** Reusable explainer for one model: holds the work buffers, so explain() allocates nothing given `out`. */
export class ShapExplainer {
  readonly numOutputs: number;
  readonly numFeatures: number;
  private readonly c: CompiledShap;
  private readonly algorithm: ShapAlgorithm;
  private readonly x: Float64Array;
  // leafwise without a table: hot / cold features of the leaf, elementary symmetric polynomials, Shapley weights
  private readonly hotZ: Float64Array;
  private readonly hotF: Int32Array;
  private readonly coldF: Int32Array;
  private readonly esp: Float64Array;
  private readonly weights: Float64Array;
  private readonly espWithout: Float64Array;
  /** Followed-features bit pattern per node (leafwise). */
  private readonly pat: Int32Array;
  // recursive: the path of unique features, one segment per recursion level (structure of arrays)
  private readonly pf: Int32Array;
  private readonly pz: Float64Array;
  private readonly po: Float64Array;
  private readonly pw: Float64Array;
  private phi: Float64Array = new Float64Array(0);
  private phiBase = 0;

  constructor(model: GbdtModel, options: ShapOptions = {}) {
    const algorithm = options.algorithm ?? 'leafwise';
    if (algorithm !== 'leafwise' && algorithm !== 'recursive')
      throw new RangeError(`algorithm must be 'leafwise' or 'recursive', got "${String(algorithm)}"`);
    this.algorithm = algorithm;
    this.c = compileShap(model);
    this.numOutputs = this.c.numOutputs;
    this.numFeatures = this.c.numFeatures;
    this.x = new Float64Array(this.numFeatures);
    const D = this.c.maxDepth + 1;
    this.hotZ = new Float64Array(D);
    this.hotF = new Int32Array(D);
    this.coldF = new Int32Array(D);
    this.esp = new Float64Array(D + 1);
    this.espWithout = new Float64Array(D + 1);
    this.weights = shapleyWeights(this.c.maxDepth);
    this.pat = new Int32Array(this.c.feature.length);
    const pd = this.c.maxDepth + 2;
    const size = ((pd + 1) * (pd + 2)) / 2 + 1;
    this.pf = new Int32Array(size);
    this.pz = new Float64Array(size);
    this.po = new Float64Array(size);
    this.pw = new Float64Array(size);
  }

  /** An output value sized for this model. */
  allocate(): ShapValues {
    return {
      numOutputs: this.numOutputs,
      numFeatures: this.numFeatures,
      contributions: new Float64Array(this.numOutputs * this.numFeatures),
      bias: new Float64Array(this.numOutputs),
    };
  }

  /** SHAP values of one row (feature values in model order; NaN = missing), written into `out`. */
  explain(row: ArrayLike<number>, out: ShapValues = this.allocate()): ShapValues {
    const F = this.numFeatures;
    if (row === null || typeof row !== 'object' || typeof row.length !== 'number')
      throw new TypeError('row must be an array of numbers');
    if (row.length !== F) throw new RangeError(`row has ${row.length} values, the model expects ${F}`);
    if (out.contributions.length !== this.numOutputs * F || out.bias.length !== this.numOutputs) {
      throw new RangeError(`out must hold ${this.numOutputs} x ${F} contributions and ${this.numOutputs} bias values`);
    }
    for (let f = 0; f < F; f++) this.x[f] = Math.fround(row[f]);
    out.contributions.fill(0);
    out.bias.set(this.c.bias);
    if (this.algorithm === 'leafwise') {
      this.leafwise(out.contributions);
    } else {
      this.phi = out.contributions;
      const { roots, treeClass } = this.c;
      for (let t = 0; t < roots.length; t++) {
        this.phiBase = treeClass[t] * F;
        this.recurse(roots[t], 0, 0, 1, 1, -1);
      }
    }
    return out;
  }

  private leafwise(phi: Float64Array): void {
    const c = this.c;
    const { x, pat } = this;
    const F = this.numFeatures;
    // 1. carry the followed-features pattern down every tree (roots keep pattern 0); written with
    //    masks rather than branches, as the direction at each node is data-dependent
    const { internalNode, internalBit, internalNewBit, feature, threshold, defaultLeft, left, right } = c;
    for (let i = 0; i < internalNode.length; i++) {
      const n = internalNode[i];
      const xv = x[feature[n]];
      const goLeft = +(xv < threshold[n]) | (+(xv !== xv) & defaultLeft[n]);
      const mask = -goLeft;
      const p = pat[n];
      const hot = p | internalNewBit[i];
      const cold = p & ~internalBit[i];
      pat[left[n]] = (hot & mask) | (cold & ~mask);
      pat[right[n]] = (cold & mask) | (hot & ~mask);
    }
    // 2. each leaf adds the Shapley values of its product game (formula in the header); reading
    //    the entries in order keeps memory access sequential
    const { leafNode, leafStart, leafValue, leafOut, entryFeature, entryZero } = c;
    const { hotZ, esp, weights } = this;
    const D = c.maxDepth + 1;
    const L = leafNode.length;
    for (let l = 0; l < L; l++) {
      const s = leafStart[l];
      const d = leafStart[l + 1] - s;
      if (d === 0) continue;
      if (d > DEFLATION_MAX_FEATURES) {
        this.directLeaf(phi, l);
        continue;
      }
      const P = pat[leafNode[l]];
      const coldMask = ~P & ((1 << d) - 1);
      let zc = 1;
      for (let m = coldMask; m !== 0; m &= m - 1) zc *= entryZero[s + 31 - Math.clz32(m & -m)];
      if (zc === 0) continue;
      let h = 0;
      esp[0] = 1;
      for (let m = P; m !== 0; m &= m - 1) {
        const z = entryZero[s + 31 - Math.clz32(m & -m)];
        hotZ[h] = z;
        esp[++h] = 0;
        for (let k = h; k > 0; k--) esp[k] += z * esp[k - 1];
      }
      const v = leafValue[l] * zc;
      const base = leafOut[l] * F;
      const w = d * D;
      if (coldMask !== 0) {
        let a = 0;
        for (let k = 0; k <= h; k++) a += weights[w + h - k] * esp[k];
        const t = v * a;
        for (let m = coldMask; m !== 0; m &= m - 1) phi[base + entryFeature[s + 31 - Math.clz32(m & -m)]] -= t;
      }
      let i = 0;
      for (let m = P; m !== 0; m &= m - 1, i++) {
        const z = hotZ[i];
        // e_k without z by deflation: e'_k = e_k - z e'_{k-1}
        let prev = 1;
        let b = weights[w + h - 1];
        for (let k = 1; k < h; k++) {
          prev = esp[k] - z * prev;
          b += weights[w + h - 1 - k] * prev;
        }
        phi[base + entryFeature[s + 31 - Math.clz32(m & -m)]] += v * (1 - z) * b;
      }
    }
  }

  /** A leaf with a long path: the same formula, hot features found by interval tests, e_k recomputed without each. */
  private directLeaf(phi: Float64Array, l: number): void {
    const { leafStart, leafValue, leafOut, entryFeature, entryZero, entryLo, entryHi, entryNanOk } = this.c;
    const { x, hotZ, hotF, coldF, esp, weights } = this;
    const D = this.c.maxDepth + 1;
    const s = leafStart[l];
    const d = leafStart[l + 1] - s;
    let h = 0;
    let nc = 0;
    let zc = 1;
    for (let e = s; e < s + d; e++) {
      const f = entryFeature[e];
      const xv = x[f];
      // NaN bounds mean "unbounded": both comparisons are then false
      const hot = xv !== xv ? entryNanOk[e] === 1 : !(xv < entryLo[e]) && !(xv >= entryHi[e]);
      if (hot) {
        hotZ[h] = entryZero[e];
        hotF[h++] = f;
      } else {
        zc *= entryZero[e];
        coldF[nc++] = f;
      }
    }
    if (zc === 0) return;
    const v = leafValue[l] * zc;
    const base = leafOut[l] * this.numFeatures;
    const w = d * D;
    esp[0] = 1;
    for (let i = 0; i < h; i++) {
      const z = hotZ[i];
      esp[i + 1] = 0;
      for (let k = i + 1; k > 0; k--) esp[k] += z * esp[k - 1];
    }
    if (nc > 0) {
      let a = 0;
      for (let k = 0; k <= h; k++) a += weights[w + h - k] * esp[k];
      const t = v * a;
      for (let i = 0; i < nc; i++) phi[base + coldF[i]] -= t;
    }
    // long paths: e_k without feature i recomputed from scratch (deflation loses digits here)
    const espI = this.espWithout;
    for (let i = 0; i < h; i++) {
      const z = hotZ[i];
      if (z === 1) continue;
      espI[0] = 1;
      let n = 0;
      for (let j = 0; j < h; j++) {
        if (j === i) continue;
        const zj = hotZ[j];
        espI[++n] = 0;
        for (let k = n; k > 0; k--) espI[k] += zj * espI[k - 1];
      }
      let b = 0;
      for (let k = 0; k < h; k++) b += weights[w + h - 1 - k] * espI[k];
      phi[base + hotF[i]] += v * (1 - z) * b;
    }
  }

  private recurse(node: number, parentStart: number, depth: number, zero: number, one: number, feat: number): void {
    const { pf, pz, po, pw } = this;
    const c = this.c;
    const start = parentStart + depth + 1;
    for (let i = 0; i < depth; i++) {
      pf[start + i] = pf[parentStart + i];
      pz[start + i] = pz[parentStart + i];
      po[start + i] = po[parentStart + i];
      pw[start + i] = pw[parentStart + i];
    }
    extendPath(pf, pz, po, pw, start, depth, zero, one, feat);

    const split = c.feature[node];
    if (split < 0) {
      this.recursiveLeaf(start, depth, c.value[node]);
      return;
    }
    const xv = this.x[split];
    const goLeft = xv < c.threshold[node] || (xv !== xv && c.defaultLeft[node] === 1);
    const hot = goLeft ? c.left[node] : c.right[node];
    const cold = goLeft ? c.right[node] : c.left[node];

    // A feature already on the path is unwound and re-entered here with the product of fractions.
    let inZero = 1;
    let inOne = 1;
    let d = depth;
    for (let i = 1; i <= d; i++) {
      if (pf[start + i] === split) {
        inZero = pz[start + i];
        inOne = po[start + i];
        unwindPath(pf, pz, po, pw, start, d, i);
        d--;
        break;
      }
    }
    this.recurse(hot, start, d + 1, c.frac[hot] * inZero, inOne, split);
    this.recurse(cold, start, d + 1, c.frac[cold] * inZero, 0, split);
  }

  private recursiveLeaf(start: number, depth: number, v: number): void {
    const { pf, pz, po, pw, phi, phiBase } = this;
    for (let i = 1; i <= depth; i++) {
      const o = po[start + i];
      const z = pz[start + i];
      // the unwound path sum (XGBoost's UnwoundPathSum)
      let w = 0;
      if (o !== 0) {
        let next = pw[start + depth];
        for (let j = depth - 1; j >= 0; j--) {
          const tmp = (next * (depth + 1)) / ((j + 1) * o);
          w += tmp;
          next = pw[start + j] - (tmp * z * (depth - j)) / (depth + 1);
        }
      } else if (z !== 0) {
        for (let j = depth - 1; j >= 0; j--) w += (pw[start + j] * (depth + 1)) / (z * (depth - j));
      } else {
        continue;
      }
      phi[phiBase + pf[start + i]] += w * (o - z) * v;
    }
  }
}

function extendPath(
  pf: Int32Array,
  pz: Float64Array,
  po: Float64Array,
  pw: Float64Array,
  s: number,
  d: number,
  zero: number,
  one: number,
  feat: number,
): void {
  pf[s + d] = feat;
  pz[s + d] = zero;
  po[s + d] = one;
  pw[s + d] = d === 0 ? 1 : 0;
  for (let i = d - 1; i >= 0; i--) {
    pw[s + i + 1] += (one * pw[s + i] * (i + 1)) / (d + 1);
    pw[s + i] = (zero * pw[s + i] * (d - i)) / (d + 1);
  }
}

function unwindPath(
  pf: Int32Array,
  pz: Float64Array,
  po: Float64Array,
  pw: Float64Array,
  s: number,
  d: number,
  index: number,
): void {
  const one = po[s + index];
  const zero = pz[s + index];
  let next = pw[s + d];
  for (let i = d - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = pw[s + i];
      pw[s + i] = (next * (d + 1)) / ((i + 1) * one);
      next = tmp - (pw[s + i] * zero * (d - i)) / (d + 1);
    } else {
      pw[s + i] = (pw[s + i] * (d + 1)) / (zero * (d - i));
    }
  }
  for (let i = index; i < d; i++) {
    pf[s + i] = pf[s + i + 1];
    pz[s + i] = pz[s + i + 1];
    po[s + i] = po[s + i + 1];
  }
}

const explainerCache = new WeakMap<GbdtModel, ShapExplainer>();

/**
 * SHAP values of one row: contributions[k * F + f] + ... + bias[k] = raw margin k. Reuses a cached
 * explainer per model; pass `out` (from a previous call or explainer.allocate()) to avoid allocation.
 */
export function shapValues(
  model: GbdtModel,
  row: ArrayLike<number>,
  options: ShapOptions & { out?: ShapValues } = {},
): ShapValues {
  if (options.algorithm !== undefined && options.algorithm !== 'leafwise')
    return new ShapExplainer(model, options).explain(row, options.out);
  let e = explainerCache.get(model);
  if (!e) {
    e = new ShapExplainer(model);
    explainerCache.set(model, e);
  }
  return e.explain(row, options.out);
}
