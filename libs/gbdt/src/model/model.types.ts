/**
 * The trained model as a plain, versioned value (also the JSON file format). Every part of the
 * engine (training, prediction, ONNX export, TreeSHAP, importance) reads this shape.
 *
 * Node test, as in XGBoost and ONNX BRANCH_LT: a row goes left iff Math.fround(x) < threshold
 * (thresholds are float32 values); a missing value (NaN) goes left iff defaultLeft.
 */
export type Objective = 'binary:logistic' | 'multi:softprob' | 'reg:squarederror' | 'rank:ndcg';

export interface Tree {
  /** Split feature per node; -1 marks a leaf. Node 0 is the root. */
  readonly feature: number[];
  /** float32-representable split thresholds (0 for leaves). */
  readonly threshold: number[];
  /** Child node indices (-1 for leaves). */
  readonly left: number[];
  readonly right: number[];
  readonly defaultLeft: boolean[];
  /** Leaf output (learning rate already applied); for internal nodes, the value the node would have as a leaf. */
  readonly value: number[];
  /** Hessian sum of the training rows that reached the node (TreeSHAP and cover importance use it). */
  readonly cover: number[];
  /** Loss reduction of the split (0 for leaves). */
  readonly gain: number[];
}

export interface GbdtModel {
  readonly format: 'pulse-gbdt';
  readonly formatVersion: 1;
  readonly objective: Objective;
  /** Number of classes for multi:softprob, 1 otherwise. */
  readonly numClass: number;
  /** Initial margin per output (length numClass); the margin of a row is baseMargin[k] + sum of its class-k trees. */
  readonly baseMargin: number[];
  readonly featureNames: string[];
  readonly trees: Tree[];
  /** Output (class) index each tree adds to; all 0 unless multiclass. */
  readonly treeClass: number[];
  /** Number of boosting rounds kept (after early stopping, the best iteration + 1). */
  readonly numRounds: number;
  /** The resolved training parameters, for the record. */
  readonly params: Readonly<Record<string, number | string | boolean>>;
}
