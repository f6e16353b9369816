/**
 * Prediction from a GbdtModel. `compileModel` flattens the trees into typed arrays once (cached per
 * model object), so batch prediction and single-row prediction walk contiguous memory.
 *
 * Node test: left iff Math.fround(x) < threshold; NaN follows defaultLeft — the same rule as
 * training-time routing and ONNX BRANCH_LT.
 */
import type { Dataset } from '../data/dataset';
import type { GbdtModel } from '../model/model.types';

export interface CompiledModel {
  readonly numClass: number;
  readonly numFeatures: number;
  readonly objective: GbdtModel['objective'];
  readonly baseMargin: Float64Array;
  /** Start node of each tree in the flat arrays. */
  readonly roots: Int32Array;
  readonly treeClass: Int32Array;
  /** Per node: feature (-1 = leaf), float32 threshold, absolute child indices, default direction, value. */
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly defaultLeft: Uint8Array;
  readonly value: Float64Array;
}

export interface PredictOptions {
  /** Return raw margins (no sigmoid / softmax). Default false. */
  outputMargin?: boolean;
  /** Use only the first n boosting rounds (default: all the model keeps). */
  numRounds?: number;
}

const cache = new WeakMap<GbdtModel, CompiledModel>();

export function compileModel(model: GbdtModel): CompiledModel {
  const cached = cache.get(model);
  if (cached) return cached;
  let total = 0;
  for (const t of model.trees) total += t.feature.length;
  const feature = new Int32Array(total);
  const threshold = new Float32Array(total);
  const left = new Int32Array(total);
  const right = new Int32Array(total);
  const defaultLeft = new Uint8Array(total);
  const value = new Float64Array(total);
  const roots = new Int32Array(model.trees.length);
  let base = 0;
  model.trees.forEach((t, i) => {
    roots[i] = base;
    for (let n = 0; n < t.feature.length; n++) {
      const k = base + n;
      feature[k] = t.feature[n];
      threshold[k] = t.threshold[n];
      left[k] = t.left[n] < 0 ? -1 : base + t.left[n];
      right[k] = t.right[n] < 0 ? -1 : base + t.right[n];
      defaultLeft[k] = t.defaultLeft[n] ? 1 : 0;
      value[k] = t.value[n];
    }
    base += t.feature.length;
  });
  const compiled: CompiledModel = {
    numClass: model.numClass,
    numFeatures: model.featureNames.length,
    objective: model.objective,
    baseMargin: Float64Array.from(model.baseMargin),
    roots,
    treeClass: Int32Array.from(model.treeClass),
    feature,
    threshold,
    left,
    right,
    defaultLeft,
    value,
  };
  cache.set(model, compiled);
  return compiled;
}

function treesToUse(model: GbdtModel, options: PredictOptions | undefined): number {
  const perRound = model.objective === 'multi:softprob' ? model.numClass : 1;
  const rounds = options?.numRounds ?? model.numRounds;
  if (!Number.isInteger(rounds) || rounds < 0 || rounds > model.numRounds) {
    throw new RangeError(`numRounds must be an integer in [0, ${model.numRounds}], got ${rounds}`);
  }
  return Math.min(model.trees.length, rounds * perRound);
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
  const out = new Float64Array(numRows * K);
  for (let r = 0; r < numRows; r++) for (let k = 0; k < K; k++) out[r * K + k] = c.baseMargin[k];
  const nTrees = treesToUse(model, options);
  const { feature, threshold, left, right, defaultLeft, value } = c;
  for (let t = 0; t < nTrees; t++) {
    const root = c.roots[t];
    const k = c.treeClass[t];
    for (let r = 0; r < numRows; r++) {
      let n = root;
      let f = feature[n];
      while (f >= 0) {
        const x = columns[f][r];
        n = x < threshold[n] ? left[n] : x >= threshold[n] ? right[n] : defaultLeft[n] ? left[n] : right[n];
        f = feature[n];
      }
      out[r * K + k] += value[n];
    }
  }
  if (!options?.outputMargin) transformInPlace(c.objective, K, out);
  return out;
}

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
  if (row.length !== c.numFeatures) throw new RangeError(`row has ${row.length} values, the model expects ${c.numFeatures}`);
  const K = c.numClass;
  const res = out ?? new Float64Array(K);
  if (res.length < K) throw new RangeError(`out must hold ${K} values, got ${res.length}`);
  for (let k = 0; k < K; k++) res[k] = c.baseMargin[k];
  const { feature, threshold, left, right, defaultLeft, value, roots, treeClass } = c;
  for (let t = 0; t < roots.length; t++) {
    let n = roots[t];
    let f = feature[n];
    while (f >= 0) {
      const x = Math.fround(row[f]);
      n = x < threshold[n] ? left[n] : x >= threshold[n] ? right[n] : defaultLeft[n] ? left[n] : right[n];
      f = feature[n];
    }
    res[treeClass[t]] += value[n];
  }
  if (!options?.outputMargin) transformInPlace(c.objective, K, res, K);
  return res;
}

/** Margin -> output: sigmoid for binary:logistic, softmax per row for multi:softprob, identity otherwise. */
export function transformInPlace(objective: GbdtModel['objective'], K: number, out: Float64Array, length = out.length): void {
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
