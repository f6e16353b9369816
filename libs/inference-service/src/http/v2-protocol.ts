import { ValidationError } from '@pulse/core';

/**
 * The Open Inference Protocol (KServe V2) REST shapes this service speaks: one FP32 input tensor
 * [N, F] whose columns are the model's inputs in signature order, outputs `probabilities` (FP32,
 * [N, C]) and `label` (INT64, [N]) for classifiers, `variable` (FP32, [N, 1]) for regressors.
 */
export interface V2Tensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: string;
  readonly data: readonly (number | string | boolean)[];
  readonly parameters?: Record<string, unknown>;
}

export interface V2InferRequest {
  readonly id?: string;
  /** The input rows, row-major (N × F). */
  readonly rows: Float32Array;
  readonly n: number;
  /** Output names asked for; undefined: all. */
  readonly outputs?: readonly string[];
}

const NUMERIC = new Set([
  'FP32',
  'FP64',
  'FP16',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'BOOL',
]);
const REQUEST_FIELDS = new Set(['id', 'parameters', 'inputs', 'outputs']);
const INPUT_FIELDS = new Set(['name', 'shape', 'datatype', 'parameters', 'data']);

/** Validates an infer request for a model with `width` inputs named `inputName`; errors name the field. */
export function parseV2InferRequest(body: unknown, inputName: string, width: number, maxRows: number): V2InferRequest {
  const b = object(body, 'body');
  for (const k of Object.keys(b))
    if (!REQUEST_FIELDS.has(k)) throw new ValidationError(`unknown field "${k}"`, { field: k });
  if (b.id !== undefined && typeof b.id !== 'string') throw new ValidationError('id must be a string', { field: 'id' });
  if (b.parameters !== undefined) object(b.parameters, 'parameters');
  if (!Array.isArray(b.inputs) || b.inputs.length !== 1)
    throw new ValidationError(`inputs must hold exactly one tensor ("${inputName}", FP32 [N, ${width}])`, {
      field: 'inputs',
    });
  const input = object(b.inputs[0], 'inputs[0]');
  for (const k of Object.keys(input))
    if (!INPUT_FIELDS.has(k)) throw new ValidationError(`unknown field "${k}"`, { field: `inputs[0].${k}` });
  if (input.name !== inputName)
    throw new ValidationError(`inputs[0].name must be "${inputName}", got ${JSON.stringify(input.name)}`, {
      field: 'inputs[0].name',
    });
  if (typeof input.datatype !== 'string' || !NUMERIC.has(input.datatype))
    throw new ValidationError(
      `inputs[0].datatype must be a numeric datatype (FP32, FP64, INT…), got ${JSON.stringify(input.datatype)}`,
      {
        field: 'inputs[0].datatype',
      },
    );
  const shape = input.shape;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new ValidationError(`inputs[0].shape must be [N, ${width}]`, { field: 'inputs[0].shape' });
  const [n, f] = shape as number[];
  if (f !== width)
    throw new ValidationError(`inputs[0].shape[1] must be ${width} (the model's inputs), got ${f}`, {
      field: 'inputs[0].shape',
    });
  if (n < 1 || n > maxRows)
    throw new ValidationError(`inputs[0].shape[0] must be 1..${maxRows}, got ${n}`, { field: 'inputs[0].shape' });
  const data = flatten(input.data, 'inputs[0].data');
  if (data.length !== n * width)
    throw new ValidationError(`inputs[0].data holds ${data.length} values, the shape says ${n * width}`, {
      field: 'inputs[0].data',
    });
  const rows = new Float32Array(n * width);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // null stands for a missing value (NaN), as JSON has no NaN.
    if (v === null) rows[i] = NaN;
    else if (typeof v === 'number') rows[i] = v;
    else if (typeof v === 'boolean') rows[i] = v ? 1 : 0;
    else throw new ValidationError(`inputs[0].data[${i}] must be a number or null`, { field: `inputs[0].data[${i}]` });
  }
  let outputs: string[] | undefined;
  if (b.outputs !== undefined) {
    if (!Array.isArray(b.outputs)) throw new ValidationError('outputs must be an array', { field: 'outputs' });
    outputs = b.outputs.map((o, i) => {
      const name = object(o, `outputs[${i}]`).name;
      if (typeof name !== 'string')
        throw new ValidationError(`outputs[${i}].name must be a string`, { field: `outputs[${i}].name` });
      return name;
    });
  }
  return { ...(typeof b.id === 'string' ? { id: b.id } : {}), rows, n, ...(outputs ? { outputs } : {}) };
}

function flatten(data: unknown, field: string): unknown[] {
  if (!Array.isArray(data)) throw new ValidationError(`${field} must be an array`, { field });
  return data.some(Array.isArray) ? data.flat(Infinity) : data;
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ValidationError(`${field} must be an object`, { field });
  return v as Record<string, unknown>;
}
