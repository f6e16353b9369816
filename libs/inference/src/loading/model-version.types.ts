/** One input column of a version's signature: its name and its place in the input row. */
export interface VersionSignatureInput {
  readonly name: string;
  readonly index: number;
  readonly type?: string;
}

/**
 * How to call a version's ONNX model (the registry's signature, as training recorded it): one float
 * input tensor named `inputName` whose columns are `inputs` by index; `classes` in output order.
 */
export interface VersionSignature {
  readonly inputName: string;
  readonly inputs: readonly VersionSignatureInput[];
  readonly outputs?: readonly { readonly name: string; readonly type: string }[];
  /** Classifiers: the label's classes in the model's output order (binary: the negative class first). */
  readonly classes?: readonly string[];
}

/**
 * Input rows with the scores the trained tree model gave them (binary: [P(positive)]; multiclass:
 * every class's probability). A missing value may be NaN or null (as JSON stores it).
 */
export interface VersionTestSample {
  readonly rows: readonly (readonly (number | null)[])[];
  readonly scores: readonly (readonly number[])[];
}

/** A registered version's contents: what the loader verifies before the version may serve. */
export interface ModelVersionContents {
  readonly model: string;
  readonly version: number;
  /** The spec's task when recorded; checked against the tree model's objective. */
  readonly task?: string;
  readonly signature: VersionSignature;
  readonly testSample: VersionTestSample;
  readonly onnx: Uint8Array;
  /** Hex SHA-256 the registry recorded for the ONNX artifact. */
  readonly onnxSha256: string;
  /** The tree model as JSON text (the engine's format), explained with TreeSHAP. */
  readonly modelJson: string;
  /** Hex SHA-256 recorded for the JSON artifact; checked when given. */
  readonly modelJsonSha256?: string;
}
