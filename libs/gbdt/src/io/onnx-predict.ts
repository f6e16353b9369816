/**
 * Scores a Dataset with an exported ONNX model through onnxruntime-node, so callers without direct
 * access to onnxruntime (the CLI) can predict from a .onnx file. Returns the model's probability /
 * value output row-major: [numRows x numCols] (binary classifiers give 2 columns, P(0) and P(1)).
 */
import type { Dataset } from '../data/dataset';
import { readOnnxMetadata } from '../onnx/onnx-proto';

// Loaded on first use: the native addon should not load for every importer of @pulse/gbdt.
type Ort = typeof import('onnxruntime-node');
let ortModule: Ort | undefined;
function ort(): Ort {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ortModule ??= require('onnxruntime-node') as Ort;
  return ortModule;
}

export interface OnnxPrediction {
  values: Float32Array;
  numCols: number;
  /** The graph's output the values came from. */
  outputName: string;
  /** metadata_props of the model (feature list etc., as the exporter wrote them). */
  metadata: Record<string, string>;
}

const BATCH = 65536;

export async function predictOnnx(bytes: Uint8Array, data: Dataset): Promise<OnnxPrediction> {
  const session = await ort().InferenceSession.create(bytes);
  try {
    const inputName = session.inputNames[0];
    const n = data.numRows;
    const nf = data.numFeatures;
    let values: Float32Array | null = null;
    let numCols = 0;
    let outputName = '';
    for (let start = 0; start < Math.max(n, 1); start += BATCH) {
      const rows = Math.min(BATCH, n - start);
      if (rows <= 0) break;
      const input = new Float32Array(rows * nf);
      for (let f = 0; f < nf; f++) {
        const col = data.columns[f];
        for (let r = 0; r < rows; r++) input[r * nf + f] = col[start + r];
      }
      const result = await session.run({ [inputName]: new (ort().Tensor)('float32', input, [rows, nf]) });
      // The float output: 'probabilities' of a TreeEnsembleClassifier (besides the int64 label), or
      // the regressor's value output.
      const name = session.outputNames.filter((o) => result[o].type === 'float32').pop();
      if (name === undefined)
        throw new Error(`the ONNX model has no float32 output (outputs: ${session.outputNames.join(', ')})`);
      const tensor = result[name];
      const cols = tensor.dims.length > 1 ? Number(tensor.dims[1]) : 1;
      if (values === null) {
        values = new Float32Array(n * cols);
        numCols = cols;
        outputName = name;
      }
      values.set(tensor.data as Float32Array, start * numCols);
    }
    return { values: values ?? new Float32Array(0), numCols, outputName, metadata: readOnnxMetadata(bytes) };
  } finally {
    await session.release();
  }
}
