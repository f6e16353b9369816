/**
 * The boosting loop: bins the data once, then per round computes gradients, grows one tree per
 * output (K for multiclass), updates training margins from the leaves' row ranges, evaluates the
 * validation sets and applies early stopping.
 */
import type { Dataset } from '../data/dataset';
import type { GbdtModel, Tree } from '../model/model.types';
import { transformInPlace } from '../predict/predict';
import { evaluateMetric, higherIsBetter } from './eval-metrics';
import {
  binColumnsOf,
  createPosBuffers,
  payloadWords,
  posBufferBytes,
  rowStrideOf,
  sharedFloat32,
  sharedFloat64,
  sharedUint8,
} from './position-buffers';
import { createTrainingOps, workerAvailable } from './training-ops';
import type { LeafTask } from './training-ops.types';
import { binAll } from './parallel-binning';
import { lambdaRankQuery, softmaxGradients, softmaxRows } from './objectives';
import { defaultMetric, type EvalMetric, type GbdtParams } from './params';
import { Prng } from '@pulse/core';
import { TreeBuilder, type Quantization } from './tree-builder';
import { KernelMemory } from './wasm/wasm-kernels';
import type { TrainOptions, TrainResult } from './train';

/** Rows used to choose bin thresholds (exact quantiles of a deterministic sample above this size). */
export const BINNING_SAMPLE_ROWS = 262_144;
/** 'auto' quantizes gradients from this many training rows. */
const QUANTIZE_FROM_ROWS = 100_000;

/**
 * Quantization levels for n rows: the most (<= 127) such that the packed sums stay exact integers,
 * i.e. n (L + 1) 2^shift < 2^53 with 2^shift > n (L + 1); 0 when fewer than 15 levels fit.
 */
export function quantLevels(n: number): number {
  for (let L = 127; L >= 15; L--) {
    const shift = Math.ceil(Math.log2(n * (L + 1) + 1));
    if (n * (L + 1) * 2 ** shift < 2 ** 53) return L;
  }
  return 0;
}

/** Upper bound of one histogram's bytes (every feature at max_bin bins plus the missing bin). */
function histogramBytesBound(F: number, maxBin: number, stride: number): number {
  return F * (maxBin + 1) * stride * 8;
}

/** Below this many feature values (rows x features) a worker thread costs more than it saves. */
const MIN_CELLS_FOR_THREADS = 2_000_000;

export function validateTrainingData(p: GbdtParams, data: Dataset, name: string): void {
  if (data === null || typeof data !== 'object' || !Array.isArray(data.columns))
    throw new TypeError(`${name} must be a Dataset`);
  if (data.numRows < 1) throw new RangeError(`${name} has no rows`);
  if (data.columns.length !== data.numFeatures)
    throw new RangeError(`${name}.columns has ${data.columns.length} columns, numFeatures is ${data.numFeatures}`);
  data.columns.forEach((c, f) => {
    if (!(c instanceof Float32Array) || c.length !== data.numRows)
      throw new RangeError(`${name}.columns[${f}] must be a Float32Array of ${data.numRows} values`);
  });
  const label = data.label;
  if (!label) throw new RangeError(`${name} has no label`);
  if (label.length !== data.numRows)
    throw new RangeError(`${name}.label has ${label.length} values, expected ${data.numRows}`);
  for (let i = 0; i < label.length; i++) {
    const y = label[i];
    if (!Number.isFinite(y)) throw new RangeError(`${name}.label[${i}] must be finite, got ${y}`);
    if (p.objective === 'binary:logistic' && y !== 0 && y !== 1)
      throw new RangeError(`${name}.label[${i}] must be 0 or 1 for binary:logistic, got ${y}`);
    if (p.objective === 'multi:softprob' && (!Number.isInteger(y) || y < 0 || y >= p.num_class)) {
      throw new RangeError(`${name}.label[${i}] must be an integer class in [0, ${p.num_class - 1}], got ${y}`);
    }
    if (p.objective === 'rank:ndcg' && (y < 0 || y > 31))
      throw new RangeError(`${name}.label[${i}] must be a relevance in [0, 31], got ${y}`);
  }
  if (data.weight && data.weight.length !== data.numRows)
    throw new RangeError(`${name}.weight has ${data.weight.length} values, expected ${data.numRows}`);
  if (p.objective === 'rank:ndcg') {
    if (!data.group) throw new RangeError(`${name} needs query groups (group) for rank:ndcg`);
    let total = 0;
    for (let q = 0; q < data.group.length; q++) total += data.group[q];
    if (total !== data.numRows) throw new RangeError(`${name}.group sizes sum to ${total}, expected ${data.numRows}`);
  }
}

/**
 * Initial margins: the given base_score, else the label prior (XGBoost 1.7 used a fixed 0.5).
 * Multiclass always starts from the log class frequencies (see below).
 */
export function baseMargins(p: GbdtParams, label: ArrayLike<number>, weight: ArrayLike<number> | null): number[] {
  const n = label.length;
  const w = (i: number): number => (weight === null ? 1 : weight[i]);
  const given = !Number.isNaN(p.base_score);
  switch (p.objective) {
    case 'binary:logistic': {
      let pos = 0;
      let tot = 0;
      for (let i = 0; i < n; i++) {
        pos += w(i) * label[i];
        tot += w(i);
      }
      const prior = given ? p.base_score : Math.min(Math.max(tot > 0 ? pos / tot : 0.5, 1e-6), 1 - 1e-6);
      return [Math.log(prior / (1 - prior))];
    }
    case 'multi:softprob': {
      // a base_score adds the same constant to every class margin, which softmax ignores (as in
      // XGBoost); the class prior is what actually informs the start
      const freq = new Float64Array(p.num_class);
      let tot = 0;
      for (let i = 0; i < n; i++) {
        freq[label[i]] += w(i);
        tot += w(i);
      }
      const logs = Array.from(freq, (c) => Math.log(Math.max(c / tot, 1e-6)));
      const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
      return logs.map((l) => l - mean);
    }
    case 'reg:squarederror': {
      if (given) return [p.base_score];
      let s = 0;
      let tot = 0;
      for (let i = 0; i < n; i++) {
        s += w(i) * label[i];
        tot += w(i);
      }
      return [tot > 0 ? s / tot : 0];
    }
    default:
      return [given ? p.base_score : 0];
  }
}

/** Adds a tree's outputs on raw float32 columns into margins[r * K + k]. */
function addTreeToMargins(
  tree: Tree,
  columns: Float32Array[],
  numRows: number,
  margins: Float64Array,
  K: number,
  k: number,
): void {
  const { feature, threshold, left, right, defaultLeft, value } = tree;
  for (let r = 0; r < numRows; r++) {
    let n = 0;
    while (feature[n] >= 0) {
      const x = columns[feature[n]][r];
      n = x < threshold[n] ? left[n] : x >= threshold[n] ? right[n] : defaultLeft[n] ? left[n] : right[n];
    }
    margins[r * K + k] += value[n];
  }
}

export function runBoosting(p: GbdtParams, data: Dataset, options: TrainOptions, threads: number): TrainResult {
  validateTrainingData(p, data, 'data');
  const valid = options.valid ?? [];
  valid.forEach((v, i) => {
    if (!v || typeof v.name !== 'string' || v.name.length === 0)
      throw new TypeError(`options.valid[${i}].name must be a non-empty string`);
    validateTrainingData(p, v.data, `options.valid[${i}] (${v.name})`);
    if (v.data.numFeatures !== data.numFeatures)
      throw new RangeError(
        `options.valid[${i}] (${v.name}) has ${v.data.numFeatures} features, training data has ${data.numFeatures}`,
      );
  });
  if (p.early_stopping_rounds > 0 && valid.length === 0)
    throw new RangeError('early_stopping_rounds needs at least one validation set (options.valid)');

  const N = data.numRows;
  const F = data.numFeatures;
  const K = p.objective === 'multi:softprob' ? p.num_class : 1;
  const label = data.label!;
  const rng = new Prng(p.seed);
  let weight: Float64Array | null = data.weight ? Float64Array.from(data.weight) : null;
  if (p.objective === 'binary:logistic' && p.scale_pos_weight !== 1) {
    weight ??= new Float64Array(N).fill(1);
    for (let i = 0; i < N; i++) if (label[i] === 1) weight[i] *= p.scale_pos_weight;
  }
  const base = baseMargins(p, label, weight);

  // --- binning
  let sample: Int32Array | undefined;
  if (N > BINNING_SAMPLE_ROWS) {
    // a deterministic uniform sample without replacement (selection sampling keeps row order)
    sample = new Int32Array(BINNING_SAMPLE_ROWS);
    let need = BINNING_SAMPLE_ROWS;
    let k = 0;
    for (let i = 0; i < N && need > 0; i++) {
      if (rng.next() * (N - i) < need) {
        sample[k++] = i;
        need--;
      }
    }
  }
  const useThreads = N * F >= MIN_CELLS_FOR_THREADS && workerAvailable(threads);
  const colBins = useThreads ? sharedUint8(N * F) : new Uint8Array(N * F);
  const quantized =
    p.min_data_in_leaf === 0 &&
    (p.use_quantized_grad === true || (p.use_quantized_grad === 'auto' && N >= QUANTIZE_FROM_ROWS)) &&
    quantLevels(N) > 0;
  const stride = quantized ? 1 : p.min_data_in_leaf > 0 ? 3 : 2;
  const rowStride = rowStrideOf(F);
  // position buffers, histograms and scratch in the WebAssembly kernels' memory where it can be made
  // (sized for the buffers, the worker's scratch and a few histograms; it grows if more are needed)
  const kernelMemory = KernelMemory.create(
    posBufferBytes(N, rowStride, payloadWords(stride)) +
      N * (8 + 8 * K + 1) +
      80 * histogramBytesBound(F, p.max_bin, stride),
  );
  const pos = createPosBuffers(N, rowStride, payloadWords(stride), useThreads, kernelMemory);
  const mapper = binAll(
    { columns: data.columns, maxBin: p.max_bin, sample, colBins, pos: pos[0], rowStride, binCol: binColumnsOf(F) },
    useThreads,
  );

  const gh = kernelMemory ? kernelMemory.float32(2 * N) : useThreads ? sharedFloat32(2 * N) : new Float32Array(2 * N);
  const margins = kernelMemory
    ? kernelMemory.float64(N * K)
    : useThreads
      ? sharedFloat64(N * K)
      : new Float64Array(N * K);
  for (let r = 0; r < N; r++) for (let k = 0; k < K; k++) margins[r * K + k] = base[k];
  const labelCopy = useThreads ? sharedFloat64(N) : new Float64Array(N);
  labelCopy.set(label);
  let weightCopy: Float64Array | null = null;
  if (weight) {
    weightCopy = useThreads ? sharedFloat64(N) : new Float64Array(N);
    weightCopy.set(weight);
  }
  const ops = createTrainingOps(
    {
      pos,
      rowStride,
      binCol: binColumnsOf(F),
      offsets: mapper.offsets,
      numFeatures: F,
      numRows: N,
      gh,
      histSize: mapper.totalBins * stride,
      stride,
      margin: margins,
      label: labelCopy,
      weight: weightCopy,
      memory: kernelMemory,
    },
    useThreads ? threads : 1,
  );
  const treeBuilder = new TreeBuilder({
    numFeatures: F,
    numRows: N,
    mapper,
    gh,
    pos,
    rowStride,
    ops,
    stride,
    split: {
      lambda: p.lambda,
      alpha: p.alpha,
      minChildWeight: p.min_child_weight,
      minDataInLeaf: p.min_data_in_leaf,
      maxDeltaStep: p.max_delta_step,
      gamma: p.gamma,
    },
    eta: p.eta,
    maxDepth: p.max_depth,
    maxLeaves: p.num_leaves,
    growPolicy: p.grow_policy,
  });

  const validMargins = valid.map((v) => {
    const m = new Float64Array(v.data.numRows * K);
    for (let r = 0; r < v.data.numRows; r++) for (let k = 0; k < K; k++) m[r * K + k] = base[k];
    return m;
  });
  const metric: EvalMetric = p.eval_metric === '' ? defaultMetric(p.objective) : p.eval_metric;
  const better = higherIsBetter(metric);
  const history: Record<string, number[]> = Object.fromEntries(valid.map((v) => [v.name, [] as number[]]));

  const trees: Tree[] = [];
  const treeClass: number[] = [];
  const prob = K > 1 ? new Float64Array(N * K) : null;
  const inSample = p.subsample < 1 ? new Uint8Array(N) : null;
  const allFeatures = Int32Array.from({ length: F }, (_, f) => f);
  let bestIteration = -1;
  let bestScore = better ? -Infinity : Infinity;
  let rounds = 0;

  try {
    for (let iter = 0; iter < p.num_boost_round; iter++) {
      if (prob) softmaxRows(margins, K, prob);
      if (p.objective === 'rank:ndcg') {
        const lr = { method: p.lambdarank_pair_method, numPairPerSample: p.lambdarank_num_pair_per_sample, rng };
        let start = 0;
        const group = data.group!;
        for (let q = 0; q < group.length; q++) {
          lambdaRankQuery(margins, label, start, start + group[q], weight === null ? 1 : weight[start], lr, gh);
          start += group[q];
        }
      }
      for (let k = 0; k < K; k++) {
        let maxima: Float64Array | null = null;
        if (prob) softmaxGradients(prob, K, k, label, weight, gh);
        else if (p.objective === 'binary:logistic') maxima = ops.gradients('logistic');
        else if (p.objective === 'reg:squarederror') maxima = ops.gradients('squared');

        if (inSample) for (let r = 0; r < N; r++) inSample[r] = rng.next() < p.subsample ? 1 : 0;
        let features = allFeatures;
        if (p.colsample_bytree < 1) {
          const m = Math.max(1, Math.round(p.colsample_bytree * F));
          const perm = allFeatures.slice();
          for (let i = 0; i < m; i++) {
            const j = i + rng.nextInt(F - i);
            const t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
          }
          features = perm.subarray(0, m).sort();
        }

        let quant: Quantization | undefined;
        if (quantized) {
          let gmax = 0;
          let hmax = 0;
          if (maxima !== null && inSample === null) {
            // found by the gradient pass itself
            gmax = maxima[0];
            hmax = maxima[1];
          } else {
            for (let r = 0; r < N; r++) {
              if (inSample !== null && inSample[r] === 0) continue;
              const g = Math.abs(gh[2 * r]);
              const h = gh[2 * r + 1];
              if (g > gmax) gmax = g;
              if (h > hmax) hmax = h;
            }
          }
          const L = quantLevels(N);
          const shift = Math.ceil(Math.log2(N * (L + 1) + 1));
          quant = {
            gUnit: gmax > 0 ? gmax / L : 0,
            hUnit: hmax > 0 ? hmax / L : 0,
            gScale: gmax > 0 ? L / gmax : 0,
            hScale: hmax > 0 ? L / hmax : 0,
            shift,
            seed: rng.nextUint32() | 0,
          };
        }
        const built = treeBuilder.build(features, { quant, sample: inSample });
        const tree = built.tree;
        const leafTasks: LeafTask[] = built.leaves.map((l) => ({
          buf: built.buf,
          start: l.start,
          end: l.end,
          value: tree.value[l.node],
        }));
        for (const s of built.routed) {
          // the tree builder's splitSums recorded these positions' sides
          leafTasks.push({
            buf: built.buf,
            start: s.start,
            end: s.end,
            value: tree.value[s.left],
            split: { rightValue: tree.value[s.right] },
          });
        }
        ops.addLeaves(leafTasks, K, k);
        if (inSample) {
          // rows left out of this tree's sample still get its output, routed by their bins
          const { feature, left, right, defaultLeft } = tree;
          for (let r = 0; r < N; r++) {
            if (inSample[r]) continue;
            let n = 0;
            while (feature[n] >= 0) {
              const f = feature[n];
              const b = colBins[f * N + r];
              const goLeft = b === mapper.numBins[f] ? defaultLeft[n] : b <= built.splitBin[n];
              n = goLeft ? left[n] : right[n];
            }
            margins[r * K + k] += tree.value[n];
          }
        }
        trees.push(tree);
        treeClass.push(k);
        valid.forEach((v, i) => addTreeToMargins(tree, v.data.columns, v.data.numRows, validMargins[i], K, k));
      }
      rounds = iter + 1;

      const evals: Record<string, number> = {};
      valid.forEach((v, i) => {
        const pred = Float64Array.from(validMargins[i]);
        transformInPlace(p.objective, K, pred);
        const score = evaluateMetric(metric, pred, v.data.label!, K, v.data.weight, v.data.group);
        evals[v.name] = score;
        history[v.name].push(score);
      });
      let stop = false;
      if (valid.length > 0) {
        const score = evals[valid[valid.length - 1].name];
        if (bestIteration < 0 || (better ? score > bestScore : score < bestScore)) {
          bestScore = score;
          bestIteration = iter;
        } else if (p.early_stopping_rounds > 0 && iter - bestIteration >= p.early_stopping_rounds) {
          stop = true;
        }
      }
      if (options.onIteration && options.onIteration({ iteration: iter, evals }) === true) stop = true;
      if (stop) break;
    }
  } finally {
    ops.close();
  }

  let keptRounds = rounds;
  if (valid.length > 0 && p.early_stopping_rounds > 0 && bestIteration >= 0) keptRounds = bestIteration + 1;
  if (valid.length === 0) bestIteration = rounds - 1;
  const params: Record<string, number | string | boolean> = {};
  for (const [key, v] of Object.entries(p))
    if (!(typeof v === 'number' && !Number.isFinite(v))) params[key] = v as number | string | boolean;
  params.eval_metric = metric;
  const model: GbdtModel = {
    format: 'pulse-gbdt',
    formatVersion: 1,
    objective: p.objective,
    numClass: K,
    baseMargin: base,
    featureNames: data.featureNames.slice(),
    trees: trees.slice(0, keptRounds * K),
    treeClass: treeClass.slice(0, keptRounds * K),
    numRounds: keptRounds,
    params,
  };
  return { model, bestIteration, history };
}
