import { PulseError } from '@pulse/core';
import { ShapExplainer, type GbdtModel, type ShapValues } from '@pulse/gbdt';
import type { VersionSignature } from './model-version.types';
import { onnxRuntime, type OrtSession } from './onnx-runtime';

export type ServableTask = 'binary' | 'multiclass' | 'regression' | 'ranking';

export interface ServableModelInit {
  readonly model: string;
  readonly version: number;
  readonly task: ServableTask;
  readonly classes: readonly string[];
  readonly signature: VersionSignature;
  readonly featureNames: readonly string[];
  readonly gbdt: GbdtModel;
  readonly session: OrtSession;
  /** The graph output holding the scores: a classifier's probabilities, a regressor's value. */
  readonly outputName: string;
  readonly onnxSha256: string;
  readonly modelJsonSha256?: string;
}

/**
 * A verified version ready to serve: its onnxruntime session for scores, and the tree model the ONNX
 * was exported from for TreeSHAP explanations (the loader checked both give the test sample's scores).
 */
export class ServableModel {
  readonly model: string;
  readonly version: number;
  readonly task: ServableTask;
  /** Classifiers: the classes in output order; empty otherwise. */
  readonly classes: readonly string[];
  readonly signature: VersionSignature;
  /** Input names in the order of the input row. */
  readonly featureNames: readonly string[];
  readonly numFeatures: number;
  /** Values per row score() returns: 1 for binary (P(positive)) and regression, the class count for multiclass. */
  readonly outputWidth: number;
  readonly gbdt: GbdtModel;
  readonly onnxSha256: string;
  readonly modelJsonSha256?: string;
  readonly loadedAtMs = Date.now();
  private readonly session: OrtSession;
  private readonly inputName: string;
  private readonly outputName: string;
  private explainerInstance?: ShapExplainer;
  private shapBuffer?: ShapValues;
  private closing?: Promise<void>;

  constructor(init: ServableModelInit) {
    this.model = init.model;
    this.version = init.version;
    this.task = init.task;
    this.classes = init.classes;
    this.signature = init.signature;
    this.featureNames = init.featureNames;
    this.numFeatures = init.featureNames.length;
    this.outputWidth = init.task === 'multiclass' ? init.classes.length : 1;
    this.gbdt = init.gbdt;
    this.session = init.session;
    this.inputName = init.signature.inputName;
    this.outputName = init.outputName;
    this.onnxSha256 = init.onnxSha256;
    this.modelJsonSha256 = init.modelJsonSha256;
  }

  /** True once close() was called: score() refuses from then on. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Scores `n` rows (row-major, numFeatures values each, NaN = missing) in one onnxruntime call:
   * outputWidth values per row (binary: P(positive); multiclass: class probabilities in `classes` order).
   */
  async score(rows: Float32Array, n: number): Promise<Float32Array> {
    if (!isFloat32Array(rows)) throw new TypeError('rows must be a Float32Array');
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
    if (rows.length !== n * this.numFeatures)
      throw new RangeError(
        `rows must hold n x ${this.numFeatures} = ${n * this.numFeatures} values, got ${rows.length}`,
      );
    if (this.closing) throw new PulseError(`${this.model} version ${this.version}: its session is closed`);
    if (n === 0) return new Float32Array(0);
    const ort = onnxRuntime();
    const feeds = { [this.inputName]: new ort.Tensor('float32', rows, [n, this.numFeatures]) };
    // Only the float output: the int64 label is not needed (and cannot be made where typed arrays are another realm's).
    const result = await this.session.run(feeds, [this.outputName]);
    const data = result[this.outputName].data as Float32Array;
    if (this.task !== 'binary') return data;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = data[2 * i + 1];
    return out;
  }

  /** The TreeSHAP explainer of the tree model (made on first use, then reused: explaining allocates nothing). */
  explainer(): ShapExplainer {
    this.explainerInstance ??= new ShapExplainer(this.gbdt);
    return this.explainerInstance;
  }

  /** SHAP values of one row, into a buffer this model reuses (valid until its next explain call). */
  explain(row: ArrayLike<number>): ShapValues {
    const explainer = this.explainer();
    this.shapBuffer ??= explainer.allocate();
    return explainer.explain(row, this.shapBuffer);
  }

  /** Releases the onnxruntime session; idempotent. Call only when no score() is in flight (the serving table sees to it). */
  close(): Promise<void> {
    this.closing ??= this.session.release();
    return this.closing;
  }
}

/** Float32Array of any realm (instanceof fails across realms, e.g. under Jest). */
export function isFloat32Array(value: unknown): value is Float32Array {
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Float32Array]';
}
