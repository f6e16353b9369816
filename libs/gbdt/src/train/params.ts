/**
 * Training parameters, named as XGBoost names them (aliases from XGBoost's sklearn API and LightGBM
 * are accepted and mapped to the XGBoost name). `resolveParams` fills defaults, validates every
 * value and rejects unknown names, so a typo never silently trains a different model.
 */
import type { Objective } from '../model/model.types';

export type GrowPolicy = 'depthwise' | 'lossguide';
export type EvalMetric =
  'auc' | 'logloss' | 'error' | 'mlogloss' | 'merror' | 'rmse' | 'mae' | `ndcg@${number}` | 'ndcg';
/**
 * How LambdaRank forms pairs within a query:
 * - 'mean' (XGBoost 1.7.4's rank:ndcg): for every document, `lambdarank_num_pair_per_sample` random
 *   partners with a different label;
 * - 'all' (LightGBM's lambdarank): every pair of documents with different labels, deterministic.
 */
export type LambdaRankPairMethod = 'mean' | 'all';

export interface GbdtParams {
  objective: Objective;
  /** Classes for multi:softprob (>= 2); 1 otherwise. */
  num_class: number;
  /** Boosting rounds (aliases: n_estimators, num_round, num_iterations). */
  num_boost_round: number;
  /** Learning rate (alias learning_rate). */
  eta: number;
  /** Depth cap for both growth policies; 0 = no cap (lossguide only). */
  max_depth: number;
  /** 0 = depth-wise growth; > 0 = at most this many leaves, grown leaf-wise (alias max_leaves). */
  num_leaves: number;
  /** Defaults to 'lossguide' when num_leaves > 0, else 'depthwise'. */
  grow_policy: GrowPolicy;
  /** Value bins per feature (2..255); missing values get a bin of their own besides these. */
  max_bin: number;
  /** L2 regularisation on leaf weights (alias reg_lambda). */
  lambda: number;
  /** L1 regularisation on leaf weights (alias reg_alpha). */
  alpha: number;
  /** Minimum hessian sum in a child. */
  min_child_weight: number;
  /** Minimum number of training rows in a child (LightGBM; alias min_child_samples). */
  min_data_in_leaf: number;
  /** Minimum loss reduction to split (aliases min_split_loss, min_split_gain). */
  gamma: number;
  /** Fraction of rows sampled (Bernoulli) for each tree. */
  subsample: number;
  /** Fraction of features sampled for each tree. */
  colsample_bytree: number;
  /** Weight multiplier of positive rows (binary:logistic). */
  scale_pos_weight: number;
  /** Cap on the absolute leaf weight before the learning rate (0 = none). */
  max_delta_step: number;
  /**
   * Initial prediction: probability for binary:logistic, value for regression, margin for the others.
   * NaN (the default) = from the label prior (weighted positive rate, mean label; 0 for ranking).
   * multi:softprob always starts from the log class frequencies: a single base_score shifts all class
   * margins equally, which softmax ignores (as in XGBoost).
   */
  base_score: number;
  seed: number;
  /** Metric for evaluation and early stopping; '' = the objective's default (logloss, mlogloss, rmse, ndcg@10). */
  eval_metric: EvalMetric | '';
  /** Stop when the last validation set's metric has not improved for this many rounds (0 = never). */
  early_stopping_rounds: number;
  /** Threads (main + workers) used by `train` on large data; `trainSync` always uses one. */
  nthread: number;
  /**
   * Histograms of stochastically rounded gradients (LightGBM's use_quantized_grad): both sums packed
   * in one exact integer add, ~30% faster histograms; leaf values still use exact gradients.
   * 'auto' (default) quantizes from 100 000 training rows, where the rounding noise is negligible.
   */
  use_quantized_grad: boolean | 'auto';
  lambdarank_pair_method: LambdaRankPairMethod;
  /**
   * Pairs per document for the 'mean' pair method. Default 4 (XGBoost 1.7.4 uses 1): on the shared
   * LETOR set, 4 keeps NDCG@3 above XGBoost's for every seed tried, 1 does not (0.61..0.67).
   */
  lambdarank_num_pair_per_sample: number;
}

export const DEFAULT_PARAMS: Readonly<GbdtParams> = {
  objective: 'reg:squarederror',
  num_class: 1,
  num_boost_round: 100,
  eta: 0.3,
  max_depth: 6,
  num_leaves: 0,
  grow_policy: 'depthwise',
  max_bin: 255,
  lambda: 1,
  alpha: 0,
  min_child_weight: 1,
  min_data_in_leaf: 0,
  gamma: 0,
  subsample: 1,
  colsample_bytree: 1,
  scale_pos_weight: 1,
  max_delta_step: 0,
  base_score: Number.NaN,
  seed: 0,
  eval_metric: '',
  early_stopping_rounds: 0,
  nthread: 2,
  use_quantized_grad: 'auto',
  lambdarank_pair_method: 'mean',
  lambdarank_num_pair_per_sample: 4,
};

const ALIASES: Readonly<Record<string, keyof GbdtParams>> = {
  n_estimators: 'num_boost_round',
  num_round: 'num_boost_round',
  num_iterations: 'num_boost_round',
  learning_rate: 'eta',
  reg_lambda: 'lambda',
  lambda_l2: 'lambda',
  reg_alpha: 'alpha',
  lambda_l1: 'alpha',
  min_split_loss: 'gamma',
  min_split_gain: 'gamma',
  max_leaves: 'num_leaves',
  min_child_samples: 'min_data_in_leaf',
  bagging_fraction: 'subsample',
  feature_fraction: 'colsample_bytree',
  random_state: 'seed',
  n_jobs: 'nthread',
  num_threads: 'nthread',
  metric: 'eval_metric',
};

const OBJECTIVES: readonly Objective[] = ['binary:logistic', 'multi:softprob', 'reg:squarederror', 'rank:ndcg'];
const OBJECTIVE_ALIASES: Readonly<Record<string, Objective>> = {
  binary: 'binary:logistic',
  multiclass: 'multi:softprob',
  'multi:softmax': 'multi:softprob',
  regression: 'reg:squarederror',
  'reg:linear': 'reg:squarederror',
  lambdarank: 'rank:ndcg',
};

type NumericKey = { [K in keyof GbdtParams]: GbdtParams[K] extends number ? K : never }[keyof GbdtParams];

/** [min, max, integer?, min exclusive?] */
const NUMERIC_RANGES: Readonly<Record<NumericKey, readonly [number, number, boolean, boolean?]>> = {
  num_class: [1, 1 << 16, true],
  num_boost_round: [1, 1e7, true],
  eta: [0, 1, false, true],
  max_depth: [0, 31, true],
  num_leaves: [0, 1 << 20, true],
  max_bin: [2, 255, true],
  lambda: [0, Infinity, false],
  alpha: [0, Infinity, false],
  min_child_weight: [0, Infinity, false],
  min_data_in_leaf: [0, 2 ** 31 - 1, true],
  gamma: [0, Infinity, false],
  subsample: [0, 1, false, true],
  colsample_bytree: [0, 1, false, true],
  scale_pos_weight: [0, Infinity, false, true],
  max_delta_step: [0, Infinity, false],
  base_score: [-Infinity, Infinity, false],
  seed: [-(2 ** 53), 2 ** 53, true],
  early_stopping_rounds: [0, 1e7, true],
  nthread: [0, 256, true],
  lambdarank_num_pair_per_sample: [1, 1024, true],
};

const METRIC_RE = /^(auc|logloss|error|mlogloss|merror|rmse|mae|ndcg(@[1-9][0-9]*)?)$/;

/** Merges given parameters over the defaults; throws TypeError / RangeError naming the parameter. */
export function resolveParams(partial: Partial<GbdtParams> | Record<string, unknown> = {}): GbdtParams {
  if (partial === null || typeof partial !== 'object') throw new TypeError('params must be an object');
  const given: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [rawKey, value] of Object.entries(partial)) {
    if (value === undefined) continue;
    const key = rawKey in DEFAULT_PARAMS ? rawKey : ALIASES[rawKey];
    if (key === undefined) {
      unknown.push(rawKey);
      continue;
    }
    if (key in given && given[key] !== value) {
      throw new RangeError(
        `params: "${rawKey}" conflicts with another name for ${key} (${String(given[key])} vs ${String(value)})`,
      );
    }
    given[key] = value;
  }
  if (unknown.length > 0) throw new RangeError(`unknown parameter(s): ${unknown.join(', ')}`);

  const p: GbdtParams = { ...DEFAULT_PARAMS };
  if (given.objective !== undefined) {
    const o = given.objective;
    if (typeof o !== 'string') throw new TypeError(`objective must be a string, got ${typeof o}`);
    const resolved = (OBJECTIVES as readonly string[]).includes(o) ? (o as Objective) : OBJECTIVE_ALIASES[o];
    if (resolved === undefined) throw new RangeError(`objective must be one of ${OBJECTIVES.join(', ')}, got "${o}"`);
    p.objective = resolved;
  }
  for (const key of Object.keys(NUMERIC_RANGES) as NumericKey[]) {
    const v = given[key];
    if (v === undefined) continue;
    const [min, max, integer, exclusiveMin] = NUMERIC_RANGES[key];
    if (typeof v !== 'number') throw new TypeError(`${key} must be a number, got ${typeof v}`);
    if (Number.isNaN(v) && key === 'base_score') continue;
    if (!Number.isFinite(v) && max !== Infinity) throw new RangeError(`${key} must be finite, got ${v}`);
    if (Number.isNaN(v)) throw new RangeError(`${key} must not be NaN`);
    if (integer && !Number.isInteger(v)) throw new RangeError(`${key} must be an integer, got ${v}`);
    if (v < min || v > max || (exclusiveMin && v === min)) {
      throw new RangeError(`${key} must be in ${exclusiveMin ? '(' : '['}${min}, ${max}], got ${v}`);
    }
    p[key] = v;
  }
  if (given.grow_policy !== undefined) {
    if (given.grow_policy !== 'depthwise' && given.grow_policy !== 'lossguide') {
      throw new RangeError(`grow_policy must be 'depthwise' or 'lossguide', got ${JSON.stringify(given.grow_policy)}`);
    }
    p.grow_policy = given.grow_policy;
  } else {
    p.grow_policy = p.num_leaves > 0 ? 'lossguide' : 'depthwise';
  }
  if (given.eval_metric !== undefined) {
    const m = given.eval_metric;
    if (typeof m !== 'string' || !METRIC_RE.test(m)) {
      throw new RangeError(
        `eval_metric must be one of auc, logloss, error, mlogloss, merror, rmse, mae, ndcg@k; got ${JSON.stringify(m)}`,
      );
    }
    p.eval_metric = m as EvalMetric;
  }
  if (given.use_quantized_grad !== undefined) {
    const q = given.use_quantized_grad;
    if (q !== true && q !== false && q !== 'auto')
      throw new RangeError(`use_quantized_grad must be true, false or 'auto', got ${JSON.stringify(q)}`);
    p.use_quantized_grad = q;
  }
  if (given.lambdarank_pair_method !== undefined) {
    if (given.lambdarank_pair_method !== 'mean' && given.lambdarank_pair_method !== 'all') {
      throw new RangeError(
        `lambdarank_pair_method must be 'mean' or 'all', got ${JSON.stringify(given.lambdarank_pair_method)}`,
      );
    }
    p.lambdarank_pair_method = given.lambdarank_pair_method;
  }

  if (p.objective === 'multi:softprob') {
    if (given.num_class === undefined || p.num_class < 2)
      throw new RangeError('num_class must be >= 2 for multi:softprob');
  } else if (given.num_class !== undefined && p.num_class !== 1) {
    throw new RangeError(`num_class must be 1 for ${p.objective}, got ${p.num_class}`);
  }
  if (p.max_depth === 0 && (p.grow_policy === 'depthwise' || p.num_leaves === 0)) {
    throw new RangeError('max_depth 0 (no depth cap) needs grow_policy lossguide with num_leaves > 0');
  }
  if (p.objective === 'binary:logistic' && !Number.isNaN(p.base_score) && !(p.base_score > 0 && p.base_score < 1)) {
    throw new RangeError(`base_score must be in (0, 1) for binary:logistic, got ${p.base_score}`);
  }
  if (p.eval_metric !== '' && !metricFitsObjective(p.eval_metric, p.objective)) {
    throw new RangeError(`eval_metric ${p.eval_metric} does not apply to objective ${p.objective}`);
  }
  return p;
}

function metricFitsObjective(metric: string, objective: Objective): boolean {
  if (metric === 'auc' || metric === 'logloss' || metric === 'error') return objective === 'binary:logistic';
  if (metric === 'mlogloss' || metric === 'merror') return objective === 'multi:softprob';
  if (metric.startsWith('ndcg')) return objective === 'rank:ndcg';
  return true; // rmse / mae apply to any single-output model
}

/** The metric used for evaluation when none is given. */
export function defaultMetric(objective: Objective): EvalMetric {
  switch (objective) {
    case 'binary:logistic':
      return 'logloss';
    case 'multi:softprob':
      return 'mlogloss';
    case 'rank:ndcg':
      return 'ndcg@10';
    default:
      return 'rmse';
  }
}
