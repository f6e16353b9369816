/**
 * Prediction from a GbdtModel. `compileModel` flattens all trees once (cached per model object)
 * into a few typed arrays; prediction then walks them in tight loops that allocate nothing.
 *
 * Node test: left iff Math.fround(x) < threshold; NaN follows defaultLeft — the same rule as
 * training-time routing and ONNX BRANCH_LT. A node's children are stored next to each other, so a
 * step is `node = left + goRight` with goRight computed by comparisons, not by a branch (which the
 * CPU would mispredict about half the time): goRight = (x >= threshold) | (x is NaN & missingRight).
 *
 * Models of depth <= PERFECT_MAX_DEPTH also get a "perfect" layout: every tree padded to a complete
 * binary tree of the model's depth D (a leaf above depth D becomes pass-through nodes whose two
 * subtrees hold the same leaf), stored in heap order. A walk is then exactly D steps with no leaf
 * test, and four trees are walked side by side, so the CPU overlaps their independent chains of
 * loads (~4x faster than one walk at a time). Sums are still added in tree order: bit-identical.
 */
import type { Dataset } from '../data/dataset';
import type { GbdtModel } from '../model/model.types';

export interface CompiledModel {
  readonly numClass: number;
  readonly numFeatures: number;
  readonly objective: GbdtModel['objective'];
  readonly baseMargin: Float64Array;
  /** Number of trees (all rounds the model keeps). */
  readonly numTrees: number;
  /** Node index of each tree's root in the flat arrays (trees are concatenated). */
  readonly roots: Int32Array;
  /** Output (class) each tree adds to. */
  readonly treeClass: Int32Array;
  /** Per node: split feature, or -1 for a leaf. */
  readonly feature: Int32Array;
  /** Per node: float32 threshold (0 for leaves). */
  readonly threshold: Float32Array;
  /** Per internal node: index of the left child; the right child is the next node. -1 for leaves. */
  readonly left: Int32Array;
  /** Per node: 1 when a missing value goes right (0 for leaves). */
  readonly missingRight: Uint8Array;
  /** Per node: leaf output (learning rate applied); 0 for internal nodes. */
  readonly value: Float64Array;
  /** The perfect layout (see above), or null when the model is deeper than PERFECT_MAX_DEPTH. */
  readonly perfect: PerfectTrees | null;
}

/** Complete trees of one depth in heap order (children of k: 2k + 1, 2k + 2), concatenated. */
export interface PerfectTrees {
  readonly depth: number;
  /** Per tree 2^depth - 1 internal nodes: feature, float32 threshold, 1 when missing goes right. */
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly missingRight: Uint8Array;
  /** Per tree 2^depth leaves. */
  readonly value: Float64Array;
}

/** Deepest model that gets the perfect layout (2^10 leaves a tree). */
export const PERFECT_MAX_DEPTH = 10;

export interface PredictOptions {
  /** Return raw margins (no sigmoid / softmax). Default false. */
  outputMargin?: boolean;
  /** Use only the first n boosting rounds (default: all the model keeps). */
  numRounds?: number;
}

const cache = new WeakMap<GbdtModel, CompiledModel>();

/** Rows transposed into a row-major block at a time by `predict` (column-major input). */
const BLOCK_ROWS = 128;

export function compileModel(model: GbdtModel): CompiledModel {
  const cached = cache.get(model);
  if (cached) return cached;
  let total = 0;
  for (const t of model.trees) total += t.feature.length;
  const feature = new Int32Array(total);
  const threshold = new Float32Array(total);
  const left = new Int32Array(total);
  const missingRight = new Uint8Array(total);
  const value = new Float64Array(total);
  const roots = new Int32Array(model.trees.length);
  let next = 0;
  model.trees.forEach((t, i) => {
    // breadth-first renumbering, children of a node given consecutive indices
    const order: number[] = [0];
    const index = new Int32Array(t.feature.length).fill(-1);
    index[0] = next++;
    roots[i] = index[0];
    for (let q = 0; q < order.length; q++) {
      const n = order[q];
      const k = index[n];
      if (t.feature[n] < 0) {
        feature[k] = -1;
        left[k] = -1;
        value[k] = t.value[n];
        continue;
      }
      feature[k] = t.feature[n];
      threshold[k] = t.threshold[n];
      missingRight[k] = t.defaultLeft[n] ? 0 : 1;
      index[t.left[n]] = next++;
      index[t.right[n]] = next++;
      left[k] = index[t.left[n]];
      order.push(t.left[n], t.right[n]);
    }
  });
  const compiled: CompiledModel = {
    numClass: model.numClass,
    numFeatures: model.featureNames.length,
    objective: model.objective,
    baseMargin: Float64Array.from(model.baseMargin),
    numTrees: model.trees.length,
    roots,
    treeClass: Int32Array.from(model.treeClass),
    feature: feature.subarray(0, next),
    threshold: threshold.subarray(0, next),
    left: left.subarray(0, next),
    missingRight: missingRight.subarray(0, next),
    value: value.subarray(0, next),
    perfect: perfectTrees(model),
  };
  cache.set(model, compiled);
  return compiled;
}

function treeDepth(t: GbdtModel['trees'][number], n = 0): number {
  return t.feature[n] < 0 ? 0 : 1 + Math.max(treeDepth(t, t.left[n]), treeDepth(t, t.right[n]));
}

function perfectTrees(model: GbdtModel): PerfectTrees | null {
  let D = 0;
  for (const t of model.trees) D = Math.max(D, treeDepth(t));
  if (D > PERFECT_MAX_DEPTH) return null;
  const NI = (1 << D) - 1;
  const NL = 1 << D;
  const T = model.trees.length;
  const feature = new Int32Array(T * NI);
  const threshold = new Float32Array(T * NI);
  const missingRight = new Uint8Array(T * NI);
  const value = new Float64Array(T * NL);
  model.trees.forEach((t, i) => {
    const fill = (n: number, k: number, d: number): void => {
      if (d === D) {
        value[i * NL + k - NI] = t.value[n];
        return;
      }
      const j = i * NI + k;
      if (t.feature[n] < 0) {
        // pass-through: feature 0, either way leads to the same leaf
        fill(n, 2 * k + 1, d + 1);
        fill(n, 2 * k + 2, d + 1);
        return;
      }
      feature[j] = t.feature[n];
      threshold[j] = t.threshold[n];
      missingRight[j] = t.defaultLeft[n] ? 0 : 1;
      fill(t.left[n], 2 * k + 1, d + 1);
      fill(t.right[n], 2 * k + 2, d + 1);
    };
    fill(0, 0, 0);
  });
  return { depth: D, feature, threshold, missingRight, value };
}

/**
 * Sum of the outputs of perfect trees [t0, t1) for the row at x[b .. b + F), added in tree order.
 * Four trees at a time, each step k = 2k + 1 + goRight.
 */
function sumPerfect(p: PerfectTrees, x: Float32Array, b: number, t0: number, t1: number, sum: number): number {
  const { feature, threshold, missingRight, value } = p;
  const D = p.depth;
  const NI = (1 << D) - 1;
  const NL = 1 << D;
  let t = t0;
  for (; t + 4 <= t1; t += 4) {
    const b0 = t * NI;
    const b1 = b0 + NI;
    const b2 = b1 + NI;
    const b3 = b2 + NI;
    let k0 = 0;
    let k1 = 0;
    let k2 = 0;
    let k3 = 0;
    for (let d = 0; d < D; d++) {
      const i0 = b0 + k0;
      const i1 = b1 + k1;
      const i2 = b2 + k2;
      const i3 = b3 + k3;
      const v0 = x[b + feature[i0]];
      const v1 = x[b + feature[i1]];
      const v2 = x[b + feature[i2]];
      const v3 = x[b + feature[i3]];
      k0 = 2 * k0 + 1 + (+(v0 >= threshold[i0]) | (+(v0 !== v0) & missingRight[i0]));
      k1 = 2 * k1 + 1 + (+(v1 >= threshold[i1]) | (+(v1 !== v1) & missingRight[i1]));
      k2 = 2 * k2 + 1 + (+(v2 >= threshold[i2]) | (+(v2 !== v2) & missingRight[i2]));
      k3 = 2 * k3 + 1 + (+(v3 >= threshold[i3]) | (+(v3 !== v3) & missingRight[i3]));
    }
    const l = t * NL - NI;
    sum += value[l + k0];
    sum += value[l + NL + k1];
    sum += value[l + 2 * NL + k2];
    sum += value[l + 3 * NL + k3];
  }
  for (; t < t1; t++) sum += value[t * NL - NI + walkPerfect(p, x, b, t)];
  return sum;
}

/** Heap index (NI .. 2NI) of the leaf that perfect tree t gives the row at x[b ..]. */
function walkPerfect(p: PerfectTrees, x: Float32Array, b: number, t: number): number {
  const NI = (1 << p.depth) - 1;
  const base = t * NI;
  let k = 0;
  for (let d = 0; d < p.depth; d++) {
    const i = base + k;
    const v = x[b + p.feature[i]];
    k = 2 * k + 1 + (+(v >= p.threshold[i]) | (+(v !== v) & p.missingRight[i]));
  }
  return k;
}

/** Adds the outputs of trees [0, nTrees) for the row at x[b ..] into out[o + class]. */
function addTrees(c: CompiledModel, x: Float32Array, b: number, nTrees: number, out: Float64Array, o: number): void {
  const p = c.perfect;
  if (c.numClass === 1) {
    if (p !== null) {
      out[o] = sumPerfect(p, x, b, 0, nTrees, out[o]);
    } else {
      let sum = out[o];
      for (let t = 0; t < nTrees; t++) sum += c.value[leafOf(c, c.roots[t], x, b)];
      out[o] = sum;
    }
    return;
  }
  const { treeClass } = c;
  if (p !== null) {
    const NI = (1 << p.depth) - 1;
    const NL = 1 << p.depth;
    for (let t = 0; t < nTrees; t++) out[o + treeClass[t]] += p.value[t * NL - NI + walkPerfect(p, x, b, t)];
  } else {
    for (let t = 0; t < nTrees; t++) out[o + treeClass[t]] += c.value[leafOf(c, c.roots[t], x, b)];
  }
}

function treesToUse(model: GbdtModel, options: PredictOptions | undefined): number {
  const perRound = model.objective === 'multi:softprob' ? model.numClass : 1;
  const rounds = options?.numRounds ?? model.numRounds;
  if (!Number.isInteger(rounds) || rounds < 0 || rounds > model.numRounds) {
    throw new RangeError(`numRounds must be an integer in [0, ${model.numRounds}], got ${rounds}`);
  }
  return Math.min(model.trees.length, rounds * perRound);
}

/** The leaf of tree `root` reached by the row at x[base .. base + F) (float32 values). */
function leafOf(c: CompiledModel, root: number, x: Float32Array, base: number): number {
  const { feature, threshold, left, missingRight } = c;
  let n = root;
  let f = feature[n];
  while (f >= 0) {
    const v = x[base + f];
    const t = threshold[n];
    n = left[n] + (+(v >= t) | (+(v !== v) & missingRight[n]));
    f = feature[n];
  }
  return n;
}

/**
 * Predictions for every row: binary -> P(class 1); multiclass -> row-major numRows x numClass
 * probabilities; regression / ranking -> value. `outputMargin` returns raw margins instead.
 */
export function predict(model: GbdtModel, data: Dataset | Float32Array[], options?: PredictOptions): Float64Array {
  const columns = Array.isArray(data) ? data : data.columns;
  if (!Array.isArray(columns)) throw new TypeError('data must be a Dataset or an array of Float32Array columns');
  const c = compileModel(model);
  if (columns.length !== c.numFeatures) {
    throw new RangeError(`data has ${columns.length} features, the model expects ${c.numFeatures}`);
  }
  const numRows = Array.isArray(data) ? (columns.length > 0 ? columns[0].length : 0) : data.numRows;
  columns.forEach((col, f) => {
    if (!(col instanceof Float32Array)) throw new TypeError(`data column ${f} must be a Float32Array`);
    if (col.length !== numRows) throw new RangeError(`data column ${f} has ${col.length} rows, expected ${numRows}`);
  });
  const K = c.numClass;
  const F = c.numFeatures;
  const out = new Float64Array(numRows * K);
  const nTrees = treesToUse(model, options);
  // a block of rows made row-major, so a tree walk reads one contiguous row (not F column arrays)
  const block = new Float32Array(BLOCK_ROWS * Math.max(1, F));
  for (let r0 = 0; r0 < numRows; r0 += BLOCK_ROWS) {
    const nb = Math.min(BLOCK_ROWS, numRows - r0);
    for (let f = 0; f < F; f++) {
      const col = columns[f];
      for (let i = 0, j = f; i < nb; i++, j += F) block[j] = col[r0 + i];
    }
    for (let i = 0; i < nb; i++) {
      const o = (r0 + i) * K;
      for (let k = 0; k < K; k++) out[o + k] = c.baseMargin[k];
      addTrees(c, block, i * F, nTrees, out, o);
    }
  }
  if (!options?.outputMargin) transformInPlace(c.objective, K, out);
  return out;
}

/** Scratch row for predictRow (JavaScript runs one call at a time, so one buffer serves all). */
let rowScratch = new Float32Array(64);

/**
 * One row (feature values in model order; numbers are rounded to float32 as at training time).
 * Writes numClass outputs into `out` (allocated if omitted) and returns it.
 */
export function predictRow(
  model: GbdtModel | CompiledModel,
  row: ArrayLike<number>,
  out?: Float64Array,
  options?: { outputMargin?: boolean },
): Float64Array {
  const c = 'roots' in model ? model : compileModel(model);
  const F = c.numFeatures;
  if (row.length !== F) throw new RangeError(`row has ${row.length} values, the model expects ${F}`);
  const K = c.numClass;
  const res = out ?? new Float64Array(K);
  if (res.length < K) throw new RangeError(`out must hold ${K} values, got ${res.length}`);
  if (rowScratch.length < F) rowScratch = new Float32Array(F);
  const x = rowScratch;
  for (let f = 0; f < F; f++) x[f] = row[f];
  for (let k = 0; k < K; k++) res[k] = c.baseMargin[k];
  addTrees(c, x, 0, c.numTrees, res, 0);
  if (!options?.outputMargin) transformInPlace(c.objective, K, res, K);
  return res;
}

/** Margin -> output: sigmoid for binary:logistic, softmax per row for multi:softprob, identity otherwise. */
export function transformInPlace(
  objective: GbdtModel['objective'],
  K: number,
  out: Float64Array,
  length = out.length,
): void {
  if (objective === 'binary:logistic') {
    for (let i = 0; i < length; i++) out[i] = 1 / (1 + Math.exp(-out[i]));
  } else if (objective === 'multi:softprob') {
    for (let base = 0; base < length; base += K) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (out[base + k] > max) max = out[base + k];
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(out[base + k] - max);
        out[base + k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) out[base + k] /= sum;
    }
  }
}
