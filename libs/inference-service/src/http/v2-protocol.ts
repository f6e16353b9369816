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

/** The datatypes a request may declare, with the values each allows (all are read as FP32). */
const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  // Beyond 2^53 a JSON number is not the integer written.
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
};
const FLOATS = new Set(['FP16', 'FP32', 'FP64']);
const NUMERIC = new Set([...FLOATS, ...Object.keys(INTEGER_RANGES), 'BOOL']);
const REQUEST_FIELDS = new Set(['id', 'parameters', 'inputs', 'outputs']);
const INPUT_FIELDS = new Set(['name', 'shape', 'datatype', 'parameters', 'data']);

/**
 * Validates an infer request for a model with `width` inputs named `inputName` and the outputs
 * `outputNames`; errors name the field.
 */
export function parseV2InferRequest(
  body: unknown,
  inputName: string,
  width: number,
  maxRows: number,
  outputNames: readonly string[],
): V2InferRequest {
  const b = object(body, 'body');
  for (const k of Object.keys(b)) if (!REQUEST_FIELDS.has(k)) throw unknownField(k, '');
  if (b.id !== undefined && typeof b.id !== 'string') throw new ValidationError('id must be a string', { field: 'id' });
  if (b.parameters !== undefined) object(b.parameters, 'parameters');
  if (!Array.isArray(b.inputs) || b.inputs.length !== 1)
    throw new ValidationError(`inputs must hold exactly one tensor ("${inputName}", FP32 [N, ${width}])`, {
      field: 'inputs',
    });
  const input = object(b.inputs[0], 'inputs[0]');
  for (const k of Object.keys(input)) if (!INPUT_FIELDS.has(k)) throw unknownField(k, 'inputs[0]');
  if (input.name !== inputName)
    throw new ValidationError(`inputs[0].name must be "${inputName}", got ${quote(input.name)}`, {
      field: 'inputs[0].name',
    });
  if (typeof input.datatype !== 'string' || !NUMERIC.has(input.datatype))
    throw new ValidationError(
      `inputs[0].datatype must be a numeric datatype (FP32, FP64, INT…, BOOL), got ${quote(input.datatype)}`,
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
  const data = flatten(input.data, 'inputs[0].data', [n, width]);
  if (data.length !== n * width)
    throw new ValidationError(`inputs[0].data holds ${data.length} values, the shape says ${n * width}`, {
      field: 'inputs[0].data',
    });
  // A value is named where it was given: data[7] in a flat tensor, data[0][7] in a nested one.
  const nested = data !== input.data;
  const rows = readValues(data, input.datatype, (i) =>
    nested ? `inputs[0].data[${Math.floor(i / width)}][${i % width}]` : `inputs[0].data[${i}]`,
  );
  let outputs: string[] | undefined;
  if (b.outputs !== undefined) {
    if (!Array.isArray(b.outputs)) throw new ValidationError('outputs must be an array', { field: 'outputs' });
    outputs = b.outputs.map((o, i) => {
      const name = object(o, `outputs[${i}]`).name;
      if (typeof name !== 'string' || !outputNames.includes(name))
        throw new ValidationError(`outputs[${i}].name must be one of ${outputNames.join(', ')}, got ${quote(name)}`, {
          field: `outputs[${i}].name`,
        });
      return name;
    });
  }
  return { ...(typeof b.id === 'string' ? { id: b.id } : {}), rows, n, ...(outputs ? { outputs } : {}) };
}

/**
 * The tensor's values, row-major: flat, or nested as the shape is ([N][F], the protocol allows
 * either). A ragged nesting is refused: read row-major it would shift values into other columns.
 */
function flatten(data: unknown, field: string, shape: readonly number[]): unknown[] {
  if (!Array.isArray(data)) throw new ValidationError(`${field} must be an array`, { field });
  if (!data.some(Array.isArray)) return data;
  const [n, width] = shape;
  if (data.length !== n)
    throw new ValidationError(`${field} holds ${data.length} rows, the shape says ${n}`, { field });
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const row: unknown = data[i];
    if (!Array.isArray(row) || row.length !== width || row.some(Array.isArray))
      throw new ValidationError(`${field}[${i}] must be a row of ${width} values, as the shape says`, {
        field: `${field}[${i}]`,
      });
    for (const v of row) out.push(v);
  }
  return out;
}

/** The values as FP32, each of the declared datatype; null stands for a missing value (NaN), as JSON has no NaN. */
function readValues(data: readonly unknown[], datatype: string, name: (i: number) => string): Float32Array {
  const rows = new Float32Array(data.length);
  const range = INTEGER_RANGES[datatype];
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === null) {
      rows[i] = NaN;
      continue;
    }
    const ok =
      datatype === 'BOOL'
        ? typeof v === 'boolean'
        : typeof v === 'number' &&
          (range !== undefined
            ? Number.isInteger(v) && v >= range[0] && v <= range[1]
            : // 1e39 is a finite JSON number but infinite as FP32 (and 1e309 is Infinity already).
              Number.isFinite(Math.fround(v)));
    if (!ok)
      throw new ValidationError(`${name(i)} must be ${describeValue(datatype)} or null, got ${quote(v)}`, {
        field: name(i),
      });
    rows[i] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
  }
  return rows;
}

function describeValue(datatype: string): string {
  if (datatype === 'BOOL') return 'a boolean (BOOL)';
  const range = INTEGER_RANGES[datatype];
  if (range !== undefined) return `an integer from ${range[0]} to ${range[1]} (${datatype})`;
  return `a number finite as FP32 (${datatype})`;
}

/** A value named in a message, cut short: an answer should not echo a megabyte back. */
function quote(value: unknown): string {
  // An array or object is named by its kind: stringifying one nested 20,000 deep overflows the stack.
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  // JSON.stringify writes Infinity (a JSON 1e309) as null.
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

/** A key that is not a field of the object `parent` ('' for the body); an empty one is named by its object. */
function unknownField(key: string, parent: string): ValidationError {
  const field = key === '' ? parent || 'body' : parent === '' ? key : `${parent}.${key}`;
  return new ValidationError(`unknown field ${quote(key)}`, { field: field.slice(0, 512) });
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ValidationError(`${field} must be an object`, { field });
  return v as Record<string, unknown>;
}
