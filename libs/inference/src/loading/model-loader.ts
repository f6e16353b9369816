import { createHash } from 'node:crypto';
import {
  modelFromJson,
  ONNX_METADATA_KEYS,
  ONNX_OUTPUTS,
  predict,
  readOnnxMetadata,
  type GbdtModel,
} from '@pulse/gbdt';
import { ModelRefusedError, type RefusalCheck } from './model-refused.error';
import type { ModelVersionContents, VersionSignature } from './model-version.types';
import { onnxRuntime, type OrtSession, type OrtSessionOptions } from './onnx-runtime';
import { ServableModel, type ServableTask } from './servable-model';

/** Largest |served − recorded| test-sample score difference a version may have (training's export check). */
export const TEST_SAMPLE_TOLERANCE = 1e-5;

export interface LoadModelOptions {
  /** onnxruntime session options (threads, graph optimisation). */
  readonly sessionOptions?: OrtSessionOptions;
  /** Default TEST_SAMPLE_TOLERANCE. */
  readonly tolerance?: number;
  /**
   * The input names the service will feed, in order (the compiled spec's featureNames): a version
   * trained on other inputs is refused under 'signature'.
   */
  readonly featureNames?: readonly string[];
}

const TASKS: Readonly<Record<GbdtModel['objective'], ServableTask>> = {
  'binary:logistic': 'binary',
  'multi:softprob': 'multiclass',
  'reg:squarederror': 'regression',
  'rank:ndcg': 'ranking',
};

/**
 * Verifies a version and opens it for serving, checking in order: the artifacts' sha256 against the
 * recorded digests; that onnxruntime loads the ONNX (and the tree engine the JSON); that the session's
 * input name and width, the ONNX metadata's feature names and the JSON model's features match the
 * signature; that both reproduce the stored test sample's scores within the tolerance. The first
 * failure throws ModelRefusedError naming its check; the session is released then.
 */
export async function loadServableModel(
  contents: ModelVersionContents,
  options: LoadModelOptions = {},
): Promise<ServableModel> {
  checkContents(contents);
  const { model, version } = contents;
  const refuse = (check: RefusalCheck, message: string, cause?: unknown): never => {
    throw new ModelRefusedError(check, model, version, message, { cause });
  };

  checkDigest(refuse, 'ONNX', contents.onnx, contents.onnxSha256);
  if (contents.modelJsonSha256 !== undefined)
    checkDigest(refuse, 'model JSON', contents.modelJson, contents.modelJsonSha256);

  let session: OrtSession;
  try {
    session = await onnxRuntime().InferenceSession.create(contents.onnx, options.sessionOptions ?? {});
  } catch (e) {
    return refuse('onnx_load', `onnxruntime cannot load the ONNX artifact: ${(e as Error).message}`, e);
  }
  try {
    let gbdt: GbdtModel;
    try {
      gbdt = modelFromJson(contents.modelJson);
    } catch (e) {
      return refuse('onnx_load', `the model JSON does not load: ${(e as Error).message}`, e);
    }
    const task = TASKS[gbdt.objective];
    const shape = checkSignature(refuse, contents, session, gbdt, task, options.featureNames);
    const servable = new ServableModel({
      model,
      version,
      task,
      classes: shape.classes,
      signature: contents.signature,
      featureNames: shape.featureNames,
      gbdt,
      session,
      outputName: shape.outputName,
      onnxSha256: contents.onnxSha256,
      modelJsonSha256: contents.modelJsonSha256,
    });
    await checkTestSample(refuse, contents, servable, options.tolerance ?? TEST_SAMPLE_TOLERANCE);
    servable.explainer(); // made now, so the first explained request does not pay for it
    return servable;
  } catch (e) {
    await session.release();
    throw e;
  }
}

type Refuse = (check: RefusalCheck, message: string, cause?: unknown) => never;

function checkContents(c: ModelVersionContents): void {
  if (c === null || typeof c !== 'object') throw new TypeError('contents must be a model version’s contents');
  if (typeof c.model !== 'string' || c.model === '') throw new TypeError('contents.model must be a non-empty string');
  if (!Number.isInteger(c.version) || c.version < 1)
    throw new RangeError(`contents.version must be a positive integer, got ${c.version}`);
  // isView, not instanceof: a Buffer from a driver may come from another realm (Jest)
  if (!ArrayBuffer.isView(c.onnx) || c.onnx.BYTES_PER_ELEMENT !== 1)
    throw new TypeError('contents.onnx must be a Uint8Array (or Buffer)');
  if (typeof c.onnxSha256 !== 'string') throw new TypeError('contents.onnxSha256 must be a hex string');
  if (typeof c.modelJson !== 'string') throw new TypeError('contents.modelJson must be a string');
  if (c.signature === null || typeof c.signature !== 'object' || !Array.isArray(c.signature.inputs))
    throw new TypeError('contents.signature must have an inputs array');
  if (c.testSample === null || typeof c.testSample !== 'object' || !Array.isArray(c.testSample.rows))
    throw new TypeError('contents.testSample must have rows and scores');
}

function checkDigest(refuse: Refuse, what: string, bytes: Uint8Array | string, recorded: string): void {
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== recorded.toLowerCase())
    refuse('sha256', `the ${what} artifact's sha256 is ${actual}, the registry recorded ${recorded}`);
}

interface ServingShape {
  readonly featureNames: string[];
  readonly classes: readonly string[];
  readonly outputName: string;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const preview = (names: readonly string[]) =>
  names.length <= 6 ? names.join(', ') : `${names.slice(0, 6).join(', ')}, … (${names.length})`;

function firstDifference(expected: readonly string[], actual: readonly string[]): string {
  if (expected.length !== actual.length) return `${actual.length} names where the signature has ${expected.length}`;
  const i = expected.findIndex((x, k) => x !== actual[k]);
  return `input ${i} is "${actual[i]}" where the signature has "${expected[i]}"`;
}

function signatureNames(refuse: Refuse, signature: VersionSignature): string[] {
  const names = new Array<string>(signature.inputs.length);
  for (const input of signature.inputs) {
    if (!Number.isInteger(input.index) || input.index < 0 || input.index >= names.length || names[input.index])
      refuse('signature', `the signature's input indices are not 0…${names.length - 1} (input "${input.name}")`);
    names[input.index] = input.name;
  }
  if (names.length === 0) refuse('signature', 'the signature lists no inputs');
  return names;
}

function checkSignature(
  refuse: Refuse,
  contents: ModelVersionContents,
  session: OrtSession,
  gbdt: GbdtModel,
  task: ServableTask,
  expectedNames: readonly string[] | undefined,
): ServingShape {
  const signature = contents.signature;
  const names = signatureNames(refuse, signature);
  const F = names.length;
  if (session.inputNames.length !== 1 || session.inputNames[0] !== signature.inputName)
    refuse(
      'signature',
      `the ONNX inputs are [${session.inputNames.join(', ')}], the signature expects one input "${signature.inputName}"`,
    );
  const input = session.inputMetadata[0];
  if (input.isTensor) {
    if (input.type !== 'float32') refuse('signature', `the ONNX input is ${input.type}, expected float32`);
    const width = input.shape[1];
    if (input.shape.length !== 2 || (typeof width === 'number' && width !== F))
      refuse('signature', `the ONNX input's shape is [${input.shape.join(', ')}], the signature has ${F} inputs`);
  }
  const metadata = readOnnxMetadata(contents.onnx);
  const metaNames = metadata[ONNX_METADATA_KEYS.featureNames];
  if (metaNames !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(metaNames);
    } catch {
      parsed = null;
    }
    if (!Array.isArray(parsed) || !sameList(names, parsed as string[]))
      refuse(
        'signature',
        `the ONNX metadata's feature names differ from the signature's: ${Array.isArray(parsed) ? firstDifference(names, parsed as string[]) : 'not a JSON list'}`,
      );
  }
  if (!sameList(names, gbdt.featureNames))
    refuse(
      'signature',
      `the model JSON's features differ from the signature's: ${firstDifference(names, gbdt.featureNames)}`,
    );
  if (expectedNames !== undefined && !sameList(expectedNames, names))
    refuse(
      'signature',
      `the version's inputs differ from the spec's input vector: ${firstDifference(expectedNames, names)} (signature: ${preview(names)})`,
    );
  if (contents.task !== undefined && contents.task !== task)
    refuse('signature', `the version is recorded as ${contents.task}, its model is ${task} (${gbdt.objective})`);

  const classifier = task === 'binary' || task === 'multiclass';
  let classes: readonly string[] = [];
  if (classifier) {
    classes = signature.classes ?? (task === 'binary' ? ['0', '1'] : []);
    const K = task === 'binary' ? 2 : gbdt.numClass;
    if (classes.length !== K)
      refuse('signature', `the signature names ${classes.length} classes, the ${task} model has ${K}`);
  }
  const outputName = classifier ? ONNX_OUTPUTS.classifier.probabilities : ONNX_OUTPUTS.regressor.score;
  const k = session.outputNames.indexOf(outputName);
  if (k < 0)
    refuse('signature', `the ONNX model has no "${outputName}" output (outputs: ${session.outputNames.join(', ')})`);
  const output = session.outputMetadata[k];
  if (output.isTensor) {
    const width = output.shape[1];
    const expected = classifier ? classes.length : 1;
    if (output.type !== 'float32' || (typeof width === 'number' && width !== expected))
      refuse(
        'signature',
        `the ONNX output "${outputName}" is ${output.type}[${output.shape.join(', ')}], expected float32[N, ${expected}]`,
      );
  }
  return { featureNames: names, classes, outputName };
}

async function checkTestSample(
  refuse: Refuse,
  contents: ModelVersionContents,
  servable: ServableModel,
  tolerance: number,
): Promise<void> {
  const { rows, scores } = contents.testSample;
  const F = servable.numFeatures;
  const K = servable.outputWidth;
  const n = rows.length;
  if (n === 0)
    refuse('test_sample', 'the test sample has no rows: nothing shows the artifact gives the trained scores');
  if (!Array.isArray(scores) || scores.length !== n)
    refuse('test_sample', `the test sample has ${n} rows and ${Array.isArray(scores) ? scores.length : 0} scores`);
  const matrix = new Float32Array(n * F);
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== F)
      refuse('test_sample', `test row ${i} has ${Array.isArray(row) ? row.length : 0} values, the signature ${F}`);
    if (!Array.isArray(scores[i]) || scores[i].length !== K)
      refuse('test_sample', `test row ${i} records ${scores[i]?.length ?? 0} scores, the model gives ${K}`);
    for (let f = 0; f < F; f++) matrix[i * F + f] = row[f] ?? NaN;
  });
  let served: Float32Array;
  try {
    served = await servable.score(matrix, n);
  } catch (e) {
    return refuse('test_sample', `onnxruntime fails on the test sample: ${(e as Error).message}`, e);
  }
  const columns = Array.from({ length: F }, (_, f) => Float32Array.from({ length: n }, (_, i) => matrix[i * F + f]));
  const json = predict(servable.gbdt, columns);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      const recorded = scores[i][k];
      for (const [what, got] of [
        ['the ONNX model', served[i * K + k]],
        ['the model JSON', json[i * K + k]],
      ] as const) {
        const diff = Math.abs(got - recorded);
        if (!(diff <= tolerance))
          refuse(
            'test_sample',
            `${what} gives ${got} for test row ${i}${K > 1 ? ` class ${servable.classes[k]}` : ''}, the sample records ${recorded} (|difference| ${diff} > ${tolerance})`,
          );
      }
    }
  }
}
