/**
 * The versioned JSON model format. JSON numbers written by JS for float64 values parse back to the
 * same float64, so save/load is exact; `modelFromJson` validates structure so a corrupt or foreign
 * file fails loudly at load time instead of predicting garbage.
 */
import type { GbdtModel, Objective, Tree } from './model.types';

const OBJECTIVES: readonly Objective[] = ['binary:logistic', 'multi:softprob', 'reg:squarederror', 'rank:ndcg'];
const TREE_KEYS = ['feature', 'threshold', 'left', 'right', 'defaultLeft', 'value', 'cover', 'gain'] as const;

export function modelToJson(model: GbdtModel): string {
  validateModel(model);
  return JSON.stringify({
    format: model.format,
    formatVersion: model.formatVersion,
    objective: model.objective,
    numClass: model.numClass,
    baseMargin: model.baseMargin,
    featureNames: model.featureNames,
    numRounds: model.numRounds,
    params: model.params,
    treeClass: model.treeClass,
    trees: model.trees.map((t) => Object.fromEntries(TREE_KEYS.map((k) => [k, t[k]]))),
  });
}

export function modelFromJson(text: string): GbdtModel {
  if (typeof text !== 'string') throw new TypeError(`model JSON must be a string, got ${typeof text}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(`model JSON does not parse: ${(err as Error).message}`);
  }
  validateModel(raw);
  return raw;
}

function fail(path: string, message: string): never {
  throw new RangeError(`invalid model: ${path} ${message}`);
}

function numberArray(value: unknown, path: string, length?: number): number[] {
  if (!Array.isArray(value)) fail(path, 'must be an array');
  if (length !== undefined && value.length !== length) fail(path, `must have ${length} entries, has ${value.length}`);
  value.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      fail(`${path}[${i}]`, `must be a finite number, got ${JSON.stringify(v)}`);
  });
  return value as number[];
}

/** Throws RangeError naming the first inconsistency of a model value (parsed or built in memory). */
export function validateModel(raw: unknown): asserts raw is GbdtModel {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('', 'must be an object');
  const m = raw as Record<string, unknown>;
  if (m.format !== 'pulse-gbdt') fail('format', `must be "pulse-gbdt", got ${JSON.stringify(m.format)}`);
  if (m.formatVersion !== 1)
    fail('formatVersion', `${JSON.stringify(m.formatVersion)} is not supported (this build reads version 1)`);
  if (!OBJECTIVES.includes(m.objective as Objective))
    fail('objective', `must be one of ${OBJECTIVES.join(', ')}, got ${JSON.stringify(m.objective)}`);
  const numClass = m.numClass;
  if (typeof numClass !== 'number' || !Number.isInteger(numClass) || numClass < 1)
    fail('numClass', 'must be a positive integer');
  if (m.objective === 'multi:softprob' ? numClass < 2 : numClass !== 1)
    fail('numClass', `${numClass} does not fit objective ${String(m.objective)}`);
  numberArray(m.baseMargin, 'baseMargin', numClass);
  if (!Array.isArray(m.featureNames) || m.featureNames.some((n) => typeof n !== 'string'))
    fail('featureNames', 'must be an array of strings');
  const numFeatures = m.featureNames.length;
  if (!Array.isArray(m.trees)) fail('trees', 'must be an array');
  const treeClass = numberArray(m.treeClass, 'treeClass', m.trees.length);
  treeClass.forEach((k, i) => {
    if (!Number.isInteger(k) || k < 0 || k >= numClass)
      fail(`treeClass[${i}]`, `must be an integer in [0, ${numClass - 1}]`);
  });
  const numRounds = m.numRounds;
  if (typeof numRounds !== 'number' || !Number.isInteger(numRounds) || numRounds < 0)
    fail('numRounds', 'must be a non-negative integer');
  if (numRounds * numClass !== m.trees.length)
    fail('numRounds', `${numRounds} x ${numClass} classes does not match ${m.trees.length} trees`);
  if (m.params === null || typeof m.params !== 'object' || Array.isArray(m.params)) fail('params', 'must be an object');
  for (const [k, v] of Object.entries(m.params as object)) {
    if (!['number', 'string', 'boolean'].includes(typeof v)) fail(`params.${k}`, 'must be a number, string or boolean');
  }
  m.trees.forEach((t: unknown, i: number) => validateTree(t, `trees[${i}]`, numFeatures));
}

function validateTree(raw: unknown, path: string, numFeatures: number): asserts raw is Tree {
  if (raw === null || typeof raw !== 'object') fail(path, 'must be an object');
  const t = raw as Record<string, unknown>;
  const feature = numberArray(t.feature, `${path}.feature`);
  const n = feature.length;
  if (n === 0) fail(`${path}.feature`, 'must not be empty');
  const threshold = numberArray(t.threshold, `${path}.threshold`, n);
  const left = numberArray(t.left, `${path}.left`, n);
  const right = numberArray(t.right, `${path}.right`, n);
  numberArray(t.value, `${path}.value`, n);
  numberArray(t.cover, `${path}.cover`, n);
  numberArray(t.gain, `${path}.gain`, n);
  if (
    !Array.isArray(t.defaultLeft) ||
    t.defaultLeft.length !== n ||
    t.defaultLeft.some((b) => typeof b !== 'boolean')
  ) {
    fail(`${path}.defaultLeft`, `must be ${n} booleans`);
  }
  const parents = new Int32Array(n).fill(-1);
  for (let j = 0; j < n; j++) {
    const f = feature[j];
    if (f === -1) {
      if (left[j] !== -1 || right[j] !== -1) fail(`${path} node ${j}`, 'is a leaf but has children');
      continue;
    }
    if (!Number.isInteger(f) || f < 0 || f >= numFeatures)
      fail(`${path}.feature[${j}]`, `must be -1 or a feature index below ${numFeatures}, got ${f}`);
    if (Math.fround(threshold[j]) !== threshold[j])
      fail(`${path}.threshold[${j}]`, `${threshold[j]} is not a float32 value`);
    for (const c of [left[j], right[j]]) {
      if (!Number.isInteger(c) || c <= j || c >= n) fail(`${path} node ${j}`, `has child ${c} outside (${j}, ${n})`);
      if (parents[c] !== -1) fail(`${path} node ${c}`, 'has two parents');
      parents[c] = j;
    }
  }
  for (let j = 1; j < n; j++) if (parents[j] === -1) fail(`${path} node ${j}`, 'is unreachable');
}
