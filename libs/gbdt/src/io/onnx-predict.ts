/**
 * Scores a Dataset with an exported ONNX model through onnxruntime-node, so callers without direct
 * access to onnxruntime (the CLI) can predict from a .onnx file. Returns the model's probability /
 * value output row-major: [numRows x numCols] (binary classifiers give 2 columns, P(0) and P(1)).
 */
import type { Dataset } from '../data/dataset';
import { ONNX_OUTPUTS } from '../onnx/onnx-export';
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
const FLOAT_OUTPUTS: readonly string[] = [ONNX_OUTPUTS.classifier.probabilities, ONNX_OUTPUTS.regressor.score];

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
      // Fetch the exporter's float output only ('probabilities', or a regressor's 'variable'): the int64
      // label is not needed, and an int64 tensor cannot be made where BigInt64Array is another realm's (Jest).
      const known = session.outputNames.filter((o) => FLOAT_OUTPUTS.includes(o));
      const feeds = { [inputName]: new (ort().Tensor)('float32', input, [rows, nf]) };
      const result = known.length > 0 ? await session.run(feeds, known) : await session.run(feeds);
      const name = (known.length > 0 ? known : session.outputNames.filter((o) => result[o].type === 'float32')).pop();
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
