import { idStringDefect, MAX_EVENT_TIME_MS } from '@pulse/contracts';
import { ValidationError } from '@pulse/core';
import { ALIAS_NAME, MODEL_NAME, TRAINING_JOB_STATES, type TrainingJobState } from '@pulse/storage';

// The HTTP API's input checks: each refusal is a ValidationError naming the field (answered 400).

const MAX_INT4 = 2_147_483_647;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
/** XGBoost-style parameter names. */
const PARAM_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const MAX_PARAMS = 64;
const MAX_TEXT = 2000;
/** GET /v1/models/{name}/aliases/history reads the history: no alias may be called that. */
export const RESERVED_ALIAS = 'history';

export interface TrainingJobRequest {
  readonly model: string;
  readonly fromMs?: number;
  readonly untilMs?: number;
  readonly params: Record<string, string | number | boolean>;
  readonly requestId?: string;
  readonly reason: string;
}

export interface AliasMoveRequest {
  readonly version: number;
  readonly reason: string;
  readonly expectedVersion?: number | null;
}

export interface AliasDeleteRequest {
  readonly reason: string;
  readonly expectedVersion?: number | null;
}

const JOB_FIELDS = new Set(['model', 'from', 'until', 'params', 'requestId', 'reason']);
const MOVE_FIELDS = new Set(['version', 'reason', 'expectedVersion']);
const DELETE_FIELDS = new Set(['reason', 'expectedVersion']);

/** POST /v1/training-jobs: `{model, from?, until?, params?, requestId?, reason?}`. */
export function parseTrainingJobRequest(body: unknown): TrainingJobRequest {
  const b = bodyObject(body, JOB_FIELDS);
  if (typeof b.model !== 'string' || b.model === '') fail('model is required: the name of a model spec', 'model');
  const model = b.model;
  const fromMs = optionalTime(b.from, 'from');
  const untilMs = optionalTime(b.until, 'until');
  if (fromMs !== undefined && untilMs !== undefined && untilMs <= fromMs) fail('until must be after from', 'until');
  const params: Record<string, string | number | boolean> = {};
  if (b.params !== undefined && b.params !== null) {
    if (!isObject(b.params)) fail(`params must be an object of parameter values, got ${kind(b.params)}`, 'params');
    const entries = Object.entries(b.params);
    if (entries.length > MAX_PARAMS) fail(`params holds ${entries.length} entries; at most ${MAX_PARAMS}`, 'params');
    for (const [key, value] of entries) {
      const field = `params.${key}`;
      if (!PARAM_NAME.test(key)) fail(`${field}: a parameter name is lower-case letters, digits and _`, field);
      if (typeof value === 'number' && Number.isFinite(value)) params[key] = value;
      else if (typeof value === 'boolean') params[key] = value;
      else if (
        typeof value === 'string' &&
        value.length > 0 &&
        value.length <= 256 &&
        idStringDefect(value) === undefined
      )
        params[key] = value;
      else fail(`${field} must be a finite number, a boolean or a short string, got ${kind(value)}`, field);
    }
  }
  const requestId = b.requestId === undefined || b.requestId === null ? undefined : id(b.requestId, 'requestId');
  return {
    model,
    ...(fromMs === undefined ? {} : { fromMs }),
    ...(untilMs === undefined ? {} : { untilMs }),
    params,
    ...(requestId === undefined ? {} : { requestId }),
    reason: text(b.reason, 'reason'),
  };
}

/** PUT /v1/models/{name}/aliases/{alias}: `{version, reason?, expectedVersion?}`. */
export function parseAliasMove(body: unknown): AliasMoveRequest {
  const b = bodyObject(body, MOVE_FIELDS);
  if (b.version === undefined || b.version === null)
    fail('version is required: the version to point the alias at', 'version');
  return {
    version: versionNumber(b.version, 'version'),
    reason: text(b.reason, 'reason'),
    ...expected(b.expectedVersion),
  };
}

/** DELETE /v1/models/{name}/aliases/{alias}: an optional body `{reason?, expectedVersion?}`, or ?reason=. */
export function parseAliasDelete(body: unknown, reasonQuery: unknown): AliasDeleteRequest {
  const b = body === undefined || body === null || body === '' ? {} : bodyObject(body, DELETE_FIELDS);
  const query = single(reasonQuery, 'reason');
  return { reason: text(b.reason ?? query, 'reason'), ...expected(b.expectedVersion) };
}

export function parseModelName(value: string, field = 'name'): string {
  if (!MODEL_NAME.test(value))
    fail(`${field} ${JSON.stringify(value.slice(0, 200))} is not a model name (${MODEL_NAME})`, field);
  return value;
}

export function parseAliasName(value: string, field = 'alias'): string {
  if (!ALIAS_NAME.test(value))
    fail(`${field} ${JSON.stringify(value.slice(0, 200))} is not an alias name (${ALIAS_NAME})`, field);
  if (value === RESERVED_ALIAS)
    fail(`${field} "${RESERVED_ALIAS}" is reserved (GET …/aliases/history reads the history)`, field);
  return value;
}

/** A job id path segment (ids are UUIDs; anything id-like is looked up, and not found). */
export function parseJobId(value: string): string {
  return id(value, 'id');
}

/** A version path segment: a whole number from 1. */
export function parseVersionParam(value: string, field = 'version'): number {
  if (!/^[1-9][0-9]{0,9}$/.test(value) || Number(value) > MAX_INT4)
    fail(`${field} must be a version number (1, 2, …), got ${JSON.stringify(value.slice(0, 50))}`, field);
  return Number(value);
}

export function parseArtifactFormat(value: unknown): 'onnx' | 'json' {
  const format = single(value, 'format') ?? 'onnx';
  if (format !== 'onnx' && format !== 'json')
    fail(`format must be onnx or json, got ${JSON.stringify(format)}`, 'format');
  return format;
}

export interface JobListQuery {
  readonly model?: string;
  readonly state?: TrainingJobState;
  readonly limit: number;
}

export function parseJobListQuery(model: unknown, state: unknown, limit: unknown): JobListQuery {
  const m = single(model, 'model');
  const s = single(state, 'state');
  const l = single(limit, 'limit');
  if (s !== undefined && !(TRAINING_JOB_STATES as readonly string[]).includes(s))
    fail(`state must be one of ${TRAINING_JOB_STATES.join(', ')}`, 'state');
  if (l !== undefined && (!/^[0-9]{1,4}$/.test(l) || Number(l) < 1 || Number(l) > 1000))
    fail('limit must be a whole number from 1 to 1000', 'limit');
  return {
    ...(m === undefined ? {} : { model: parseModelName(m, 'model') }),
    ...(s === undefined ? {} : { state: s as TrainingJobState }),
    limit: l === undefined ? 50 : Number(l),
  };
}

/** A query parameter given once (a repeated one is refused, naming it). */
export function single(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) fail(`${field} is given ${value.length} times; give it once`, field);
  return String(value);
}

function fail(message: string, field: string): never {
  throw new ValidationError(message, { field });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** A JSON object body; a key it does not know is refused, naming it (usually a misspelt field). */
function bodyObject(body: unknown, known: ReadonlySet<string>): Record<string, unknown> {
  if (!isObject(body)) fail(`the body must be a JSON object, got ${kind(body)}`, 'body');
  const unknown = Object.keys(body).find((key) => !known.has(key));
  if (unknown !== undefined)
    fail(
      `${unknown.slice(0, 100)} is not a field of this request (fields: ${[...known].join(', ')})`,
      unknown.slice(0, 100),
    );
  return body;
}

function optionalTime(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  let ms = NaN;
  if (typeof value === 'number' && Number.isInteger(value)) ms = value;
  else if (typeof value === 'string' && RFC3339.test(value)) ms = Date.parse(value.replace(' ', 'T'));
  if (!(ms >= 0 && ms <= MAX_EVENT_TIME_MS))
    fail(`${field} must be an RFC 3339 time with a zone (e.g. 2024-05-01T00:00:00Z) or epoch milliseconds`, field);
  return ms;
}

function id(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') fail(`${field} must be a non-empty string, got ${kind(value)}`, field);
  const defect = idStringDefect(value);
  if (defect !== undefined) fail(`${field} ${defect}`, field);
  return value;
}

function text(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') fail(`${field} must be a string, got ${kind(value)}`, field);
  if (value.length > MAX_TEXT) fail(`${field} is ${value.length} characters long; at most ${MAX_TEXT}`, field);
  if (!value.isWellFormed() || value.includes('\u0000')) fail(`${field} holds a lone surrogate or a NUL`, field);
  return value;
}

function versionNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_INT4)
    fail(`${field} must be a version number (1, 2, …), got ${JSON.stringify(value)}`, field);
  return value;
}

/** expectedVersion: absent (no check), null (the alias must not exist) or a version. */
function expected(value: unknown): { expectedVersion?: number | null } {
  if (value === undefined) return {};
  if (value === null) return { expectedVersion: null };
  return { expectedVersion: versionNumber(value, 'expectedVersion') };
}
