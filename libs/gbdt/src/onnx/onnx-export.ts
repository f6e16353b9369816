/**
 * GbdtModel -> ONNX (ai.onnx.ml opset 3, default opset 17, IR 8), served by onnxruntime.
 *
 * - binary:logistic: TreeEnsembleClassifier with one score (class_ids all 0), classlabels [0, 1],
 *   base_values [margin], LOGISTIC: onnxruntime turns the single score s into probabilities
 *   [sigmoid(-s), sigmoid(s)] and label 1 iff s > 0 — the onnxmltools encoding of XGBoost.
 * - multi:softprob: one score per class (class_id = the tree's class), base_values = base margins,
 *   SOFTMAX. Two classes are encoded as the binary case on the margin difference, because
 *   onnxruntime treats a two-class ensemble with two class ids specially.
 * - reg:squarederror, rank:ndcg: TreeEnsembleRegressor, one target, post_transform NONE.
 *
 * Nodes are BRANCH_LT (true branch = left = Math.fround(x) < threshold); a NaN input takes the true
 * branch iff nodes_missing_value_tracks_true, so that flag is the tree's defaultLeft.
 */
import type { GbdtModel, Tree } from '../model/model.types';
import { encodeOnnxModel, TensorElemType, type OnnxAttribute, type OnnxNode, type OnnxValueInfo } from './onnx-proto';

export interface OnnxExportOptions {
  /** Name of the float[N, F] input. Default 'input'. */
  inputName?: string;
  /** ModelProto.model_version. Default 1. */
  modelVersion?: number;
  /** ModelProto.doc_string. Default: a one-line description of the model. */
  docString?: string;
}

/** Output names of the exported graph, by model kind. */
export const ONNX_OUTPUTS = {
  /** int64 [N] predicted class, float [N, K] class probabilities (K = 2 for binary). */
  classifier: { label: 'label', probabilities: 'probabilities' },
  /** float [N, 1] raw score (regression value or ranking score). */
  regressor: { score: 'variable' },
} as const;

/** metadata_props keys written by exportOnnx. */
export const ONNX_METADATA_KEYS = {
  objective: 'pulse.objective',
  numClass: 'pulse.num_class',
  featureNames: 'pulse.feature_names',
  inputName: 'pulse.input_name',
  outputNames: 'pulse.output_names',
  producerFormat: 'pulse.model_format',
} as const;

export const ONNX_ML_OPSET = 3;
export const ONNX_DEFAULT_OPSET = 17;
export const ONNX_IR_VERSION = 8;

/** The nodes_* attribute arrays of an ensemble plus the leaf weight lists (class_* or target_*). */
interface EnsembleArrays {
  treeIds: number[];
  nodeIds: number[];
  featureIds: number[];
  modes: string[];
  values: number[];
  trueIds: number[];
  falseIds: number[];
  missingTrue: number[];
  leafTree: number[];
  leafNode: number[];
  leafOut: number[];
  leafWeight: number[];
}

function emptyArrays(): EnsembleArrays {
  return {
    treeIds: [],
    nodeIds: [],
    featureIds: [],
    modes: [],
    values: [],
    trueIds: [],
    falseIds: [],
    missingTrue: [],
    leafTree: [],
    leafNode: [],
    leafOut: [],
    leafWeight: [],
  };
}

/** Appends one tree; `sign` flips its leaf values (the two-class softmax case). */
function addTree(a: EnsembleArrays, tree: Tree, treeId: number, out: number, sign: number): void {
  for (let n = 0; n < tree.feature.length; n++) {
    const leaf = tree.feature[n] < 0;
    a.treeIds.push(treeId);
    a.nodeIds.push(n);
    a.featureIds.push(leaf ? 0 : tree.feature[n]);
    a.modes.push(leaf ? 'LEAF' : 'BRANCH_LT');
    a.values.push(leaf ? 0 : tree.threshold[n]);
    a.trueIds.push(leaf ? 0 : tree.left[n]);
    a.falseIds.push(leaf ? 0 : tree.right[n]);
    a.missingTrue.push(!leaf && tree.defaultLeft[n] ? 1 : 0);
    if (leaf) {
      a.leafTree.push(treeId);
      a.leafNode.push(n);
      a.leafOut.push(out);
      a.leafWeight.push(sign * tree.value[n]);
    }
  }
}

/** A single-leaf tree holding `weights` (several entries on one leaf are summed by the runtime). */
function addConstantTree(a: EnsembleArrays, treeId: number, weights: readonly number[]): void {
  a.treeIds.push(treeId);
  a.nodeIds.push(0);
  a.featureIds.push(0);
  a.modes.push('LEAF');
  a.values.push(0);
  a.trueIds.push(0);
  a.falseIds.push(0);
  a.missingTrue.push(0);
  for (const w of weights) {
    a.leafTree.push(treeId);
    a.leafNode.push(0);
    a.leafOut.push(0);
    a.leafWeight.push(w);
  }
}

function nodeAttributes(a: EnsembleArrays): OnnxAttribute[] {
  return [
    { name: 'nodes_treeids', type: 'ints', value: a.treeIds },
    { name: 'nodes_nodeids', type: 'ints', value: a.nodeIds },
    { name: 'nodes_featureids', type: 'ints', value: a.featureIds },
    { name: 'nodes_modes', type: 'strings', value: a.modes },
    { name: 'nodes_values', type: 'floats', value: a.values },
    { name: 'nodes_truenodeids', type: 'ints', value: a.trueIds },
    { name: 'nodes_falsenodeids', type: 'ints', value: a.falseIds },
    { name: 'nodes_missing_value_tracks_true', type: 'ints', value: a.missingTrue },
  ];
}

function checkModel(model: GbdtModel): void {
  if (model === null || typeof model !== 'object' || model.format !== 'pulse-gbdt') {
    throw new TypeError('model must be a pulse-gbdt GbdtModel');
  }
  const F = model.featureNames.length;
  if (F === 0) throw new RangeError('model.featureNames is empty: the ONNX input needs at least one feature');
  if (model.treeClass.length !== model.trees.length) {
    throw new RangeError(`model.treeClass has ${model.treeClass.length} entries for ${model.trees.length} trees`);
  }
  if (model.baseMargin.length !== model.numClass) {
    throw new RangeError(`model.baseMargin has ${model.baseMargin.length} values, expected numClass ${model.numClass}`);
  }
  model.trees.forEach((t, ti) => {
    const n = t.feature.length;
    if (n === 0) throw new RangeError(`tree ${ti} has no nodes`);
    for (const key of ['threshold', 'left', 'right', 'defaultLeft', 'value'] as const) {
      if (t[key].length !== n) throw new RangeError(`tree ${ti}: ${key} has ${t[key].length} entries, expected ${n}`);
    }
    for (let i = 0; i < n; i++) {
      const f = t.feature[i];
      if (f < 0) continue;
      if (f >= F) throw new RangeError(`tree ${ti} node ${i}: feature ${f} is out of range (model has ${F} features)`);
      if (!(t.left[i] > 0 && t.left[i] < n && t.right[i] > 0 && t.right[i] < n)) {
        throw new RangeError(`tree ${ti} node ${i}: child index out of range`);
      }
      if (Math.fround(t.threshold[i]) !== t.threshold[i]) {
        throw new RangeError(`tree ${ti} node ${i}: threshold ${t.threshold[i]} is not a float32 value`);
      }
    }
  });
}

/** Trees the model's predictions use (the first numRounds rounds), as predict() does. */
function usedTrees(model: GbdtModel): number {
  const perRound = model.objective === 'multi:softprob' ? model.numClass : 1;
  return Math.min(model.trees.length, model.numRounds * perRound);
}

/**
 * Serialised ONNX ModelProto for the model. Input: float[N, F] named options.inputName; outputs
 * per ONNX_OUTPUTS; metadata per ONNX_METADATA_KEYS.
 */
export function exportOnnx(model: GbdtModel, options: OnnxExportOptions = {}): Uint8Array {
  checkModel(model);
  const inputName = options.inputName ?? 'input';
  if (typeof inputName !== 'string' || inputName.length === 0)
    throw new TypeError('options.inputName must be a non-empty string');
  const F = model.featureNames.length;
  const nTrees = usedTrees(model);
  const a = emptyArrays();
  const attributes: OnnxAttribute[] = [];
  let opType: string;
  let outputs: OnnxValueInfo[];

  const classifier = model.objective === 'binary:logistic' || model.objective === 'multi:softprob';
  if (classifier) {
    const K = model.objective === 'binary:logistic' ? 2 : model.numClass;
    if (K < 2) throw new RangeError(`multi:softprob needs numClass >= 2, got ${model.numClass}`);
    let baseValues: number[];
    let postTransform: string;
    if (K === 2) {
      // One score s: margin (binary) or margin difference m1 - m0 (two-class softmax).
      const two = model.objective === 'multi:softprob';
      for (let t = 0; t < nTrees; t++) {
        const sign = two ? (model.treeClass[t] === 1 ? 1 : -1) : 1;
        addTree(a, model.trees[t], t, 0, sign);
      }
      baseValues = [two ? model.baseMargin[1] - model.baseMargin[0] : model.baseMargin[0]];
      // When every weight is >= 0 onnxruntime picks the label by score > 0.5 (reading the score as
      // a probability) instead of score > 0; a constant tree of +1 and -1 keeps the weights mixed
      // and adds exactly 0 to the score.
      if (a.leafWeight.every((w) => w >= 0)) addConstantTree(a, nTrees, [1, -1]);
      postTransform = 'LOGISTIC';
    } else {
      for (let t = 0; t < nTrees; t++) addTree(a, model.trees[t], t, model.treeClass[t], 1);
      baseValues = [...model.baseMargin];
      postTransform = 'SOFTMAX';
    }
    if (a.treeIds.length === 0) addConstantTree(a, 0, [0]);
    opType = 'TreeEnsembleClassifier';
    attributes.push(
      ...nodeAttributes(a),
      { name: 'class_treeids', type: 'ints', value: a.leafTree },
      { name: 'class_nodeids', type: 'ints', value: a.leafNode },
      { name: 'class_ids', type: 'ints', value: a.leafOut },
      { name: 'class_weights', type: 'floats', value: a.leafWeight },
      { name: 'classlabels_int64s', type: 'ints', value: Array.from({ length: K }, (_, k) => k) },
      { name: 'base_values', type: 'floats', value: baseValues },
      { name: 'post_transform', type: 'string', value: postTransform },
    );
    outputs = [
      { name: ONNX_OUTPUTS.classifier.label, elemType: TensorElemType.INT64, dims: ['N'] },
      { name: ONNX_OUTPUTS.classifier.probabilities, elemType: TensorElemType.FLOAT, dims: ['N', K] },
    ];
  } else {
    for (let t = 0; t < nTrees; t++) addTree(a, model.trees[t], t, 0, 1);
    if (a.treeIds.length === 0) addConstantTree(a, 0, [0]);
    opType = 'TreeEnsembleRegressor';
    attributes.push(
      ...nodeAttributes(a),
      { name: 'target_treeids', type: 'ints', value: a.leafTree },
      { name: 'target_nodeids', type: 'ints', value: a.leafNode },
      { name: 'target_ids', type: 'ints', value: a.leafOut },
      { name: 'target_weights', type: 'floats', value: a.leafWeight },
      { name: 'n_targets', type: 'int', value: 1 },
      { name: 'base_values', type: 'floats', value: [model.baseMargin[0]] },
      { name: 'aggregate_function', type: 'string', value: 'SUM' },
      { name: 'post_transform', type: 'string', value: 'NONE' },
    );
    outputs = [{ name: ONNX_OUTPUTS.regressor.score, elemType: TensorElemType.FLOAT, dims: ['N', 1] }];
  }

  const node: OnnxNode = {
    opType,
    domain: 'ai.onnx.ml',
    name: `${opType}_0`,
    inputs: [inputName],
    outputs: outputs.map((o) => o.name),
    attributes,
  };
  return encodeOnnxModel({
    irVersion: ONNX_IR_VERSION,
    opsetImports: [
      { domain: '', version: ONNX_DEFAULT_OPSET },
      { domain: 'ai.onnx.ml', version: ONNX_ML_OPSET },
    ],
    producerName: 'pulse-gbdt',
    producerVersion: String(model.formatVersion),
    modelVersion: options.modelVersion ?? 1,
    docString: options.docString ?? `pulse-gbdt ${model.objective}, ${nTrees} trees, ${F} features`,
    graph: {
      name: 'pulse_gbdt',
      nodes: [node],
      inputs: [{ name: inputName, elemType: TensorElemType.FLOAT, dims: ['N', F] }],
      outputs,
    },
    metadata: {
      [ONNX_METADATA_KEYS.producerFormat]: `${model.format}/${model.formatVersion}`,
      [ONNX_METADATA_KEYS.objective]: model.objective,
      [ONNX_METADATA_KEYS.numClass]: String(model.numClass),
      [ONNX_METADATA_KEYS.featureNames]: JSON.stringify(model.featureNames),
      [ONNX_METADATA_KEYS.inputName]: inputName,
      [ONNX_METADATA_KEYS.outputNames]: JSON.stringify(outputs.map((o) => o.name)),
    },
  });
}
