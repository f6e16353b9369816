import { assertFiniteNumber, assertInteger, assertNonEmptyString } from '@pulse/core';
import type { ModelSignature, NewModelVersion, TestSample, StoredGateVerdict } from './model-registry.types';

// Argument checks of the registry: wrong type -> TypeError, wrong value -> RangeError, naming the argument.
// Everything is checked before the first statement, so a bad call writes nothing.

/** Model names travel in URLs, topics and lock keys: lower-case, no '/'. */
export const MODEL_NAME = /^[a-z][a-z0-9_.-]{0,127}$/;
export const ALIAS_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Versions and sequences are Postgres integers. */
export const MAX_INT4 = 2_147_483_647;

export function assertModelName(value: unknown, name: string): asserts value is string {
  assertNonEmptyString(value, name);
  if (!MODEL_NAME.test(value)) throw new RangeError(`${name} must match ${MODEL_NAME}, got ${JSON.stringify(value)}`);
}

export function assertAliasName(value: unknown, name: string): asserts value is string {
  assertNonEmptyString(value, name);
  if (!ALIAS_NAME.test(value)) throw new RangeError(`${name} must match ${ALIAS_NAME}, got ${JSON.stringify(value)}`);
}

export function assertVersion(value: unknown, name: string): asserts value is number {
  assertInteger(value, name, 1, MAX_INT4);
}

export function assertVersionOrNull(value: unknown, name: string): asserts value is number | null {
  if (value !== null) assertVersion(value, name);
}

export function assertString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${typeof value}`);
}

export function assertPlainObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(
      `${name} must be an object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
    );
}

export function assertArray(value: unknown, name: string): asserts value is unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array, got ${typeof value}`);
}

/**
 * Checks a version to register, all of it: what reaches the database is what the registry promises
 * to hand back (e.g. finite metrics, since JSON has no NaN, and sample rows as wide as the signature).
 */
export function assertNewModelVersion(input: NewModelVersion): void {
  assertPlainObject(input, 'input');
  assertModelName(input.model, 'input.model');
  assertInteger(input.specVersion, 'input.specVersion', 1, MAX_INT4);
  assertNonEmptyString(input.task, 'input.task');
  assertNonEmptyString(input.createdBy, 'input.createdBy');
  if (input.trainingJobId !== undefined && input.trainingJobId !== null)
    assertNonEmptyString(input.trainingJobId, 'input.trainingJobId');
  assertPlainObject(input.metrics, 'input.metrics');
  for (const [key, value] of Object.entries(input.metrics)) assertFiniteNumber(value, `input.metrics.${key}`);
  assertArray(input.gates, 'input.gates');
  input.gates.forEach((gate, i) => assertGate(gate, `input.gates[${i}]`));
  assertSignature(input.signature, 'input.signature');
  assertPlainObject(input.lineage, 'input.lineage');
  assertPlainObject(input.evaluation, 'input.evaluation');
  if (typeof input.reportHtml !== 'function') assertNonEmptyString(input.reportHtml, 'input.reportHtml');
  if (!(input.onnx instanceof Uint8Array))
    throw new TypeError(`input.onnx must be a Uint8Array, got ${typeof input.onnx}`);
  if (input.onnx.byteLength === 0) throw new RangeError('input.onnx must not be empty');
  assertNonEmptyString(input.modelJson, 'input.modelJson');
  try {
    JSON.parse(input.modelJson);
  } catch (err) {
    throw new RangeError(`input.modelJson must be JSON: ${(err as Error).message}`);
  }
  assertTestSample(input.testSample, input.signature.inputs.length, 'input.testSample');
  assertString(input.contentSha256, 'input.contentSha256');
  if (!SHA256_HEX.test(input.contentSha256))
    throw new RangeError(
      `input.contentSha256 must be 64 lower-case hex digits, got ${JSON.stringify(input.contentSha256)}`,
    );
}

function assertGate(gate: StoredGateVerdict, name: string): void {
  assertPlainObject(gate, name);
  assertNonEmptyString(gate.name, `${name}.name`);
  if (typeof gate.passed !== 'boolean')
    throw new TypeError(`${name}.passed must be a boolean, got ${typeof gate.passed}`);
  if (gate.value !== null) assertFiniteNumber(gate.value, `${name}.value`);
  assertFiniteNumber(gate.threshold, `${name}.threshold`);
  assertString(gate.detail, `${name}.detail`);
}

function assertSignature(signature: ModelSignature, name: string): void {
  assertPlainObject(signature, name);
  assertNonEmptyString(signature.inputName, `${name}.inputName`);
  assertArray(signature.inputs, `${name}.inputs`);
  if (signature.inputs.length === 0) throw new RangeError(`${name}.inputs must not be empty`);
  // The indexes are the input row's columns: each of 0..n-1 exactly once.
  const seen = new Set<number>();
  signature.inputs.forEach((input, i) => {
    const at = `${name}.inputs[${i}]`;
    assertPlainObject(input, at);
    assertNonEmptyString(input.name, `${at}.name`);
    assertNonEmptyString(input.type, `${at}.type`);
    assertInteger(input.index, `${at}.index`, 0, signature.inputs.length - 1);
    if (seen.has(input.index)) throw new RangeError(`${at}.index ${input.index} is used twice`);
    seen.add(input.index);
  });
  assertArray(signature.outputs, `${name}.outputs`);
  if (signature.outputs.length === 0) throw new RangeError(`${name}.outputs must not be empty`);
  signature.outputs.forEach((output, i) => {
    const at = `${name}.outputs[${i}]`;
    assertPlainObject(output, at);
    assertNonEmptyString(output.name, `${at}.name`);
    assertNonEmptyString(output.type, `${at}.type`);
    assertArray(output.shape, `${at}.shape`);
    output.shape.forEach((dim, d) => {
      if (dim !== null && typeof dim !== 'string') assertInteger(dim, `${at}.shape[${d}]`, -1);
    });
  });
}

function assertTestSample(sample: TestSample, width: number, name: string): void {
  assertPlainObject(sample, name);
  assertArray(sample.rows, `${name}.rows`);
  assertArray(sample.scores, `${name}.scores`);
  if (sample.rows.length !== sample.scores.length)
    throw new RangeError(`${name} has ${sample.rows.length} rows but ${sample.scores.length} scores`);
  sample.rows.forEach((row, r) => {
    assertArray(row, `${name}.rows[${r}]`);
    if (row.length !== width)
      throw new RangeError(`${name}.rows[${r}] has ${row.length} values, the signature ${width} inputs`);
    row.forEach((v, c) => {
      // NaN is a missing value (stored as null); an infinity could not come back as itself.
      if (typeof v !== 'number') throw new TypeError(`${name}.rows[${r}][${c}] must be a number, got ${typeof v}`);
      if (v === Infinity || v === -Infinity) throw new RangeError(`${name}.rows[${r}][${c}] must not be infinite`);
    });
  });
  sample.scores.forEach((scores, r) => {
    assertArray(scores, `${name}.scores[${r}]`);
    scores.forEach((v, c) => assertFiniteNumber(v, `${name}.scores[${r}][${c}]`));
  });
}

/** A Date or an ISO timestamp string, as an ISO string; null when absent. */
export function toTimestamp(value: Date | string | null | undefined, name: string): string | null {
  if (value === undefined || value === null) return null;
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (date === undefined) throw new TypeError(`${name} must be a Date or an ISO string, got ${typeof value}`);
  if (Number.isNaN(date.getTime())) throw new RangeError(`${name} is not a valid time: ${String(value)}`);
  return date.toISOString();
}
