import { CHANNELS, MAX_ID_LENGTH } from '@pulse/contracts';
import { ValidationError } from '@pulse/core';

/** One row to predict: the entity, the request-time context in the trigger event's field names, the time. */
export interface PredictRow {
  readonly entityId: string;
  readonly context: {
    readonly channel?: string;
    readonly contentId?: string;
    readonly attributes?: Readonly<Record<string, string | number | boolean>>;
  };
  /** Event time to predict as of (epoch ms); absent: now. */
  readonly atMs?: number;
}

const ROW_FIELDS = new Set(['entityId', 'entity_id', 'context', 'at']);
const CONTEXT_FIELDS = new Set(['channel', 'content_id', 'contentId', 'attributes']);
const MAX_ATTRIBUTES = 64;

/** POST /v1/predict/{model}: `{"entityId", "context"?: {"channel", "content_id", "attributes"}, "at"?}`. */
export function parsePredictRequest(body: unknown): PredictRow {
  return parseRow(body, '');
}

/**
 * POST /v1/predict/{model}/batch: `{"rows": [row, …], "context"?, "at"?}` — the top-level context and
 * time apply to rows that give none. At most `maxRows` rows.
 */
export function parseBatchRequest(body: unknown, maxRows: number): PredictRow[] {
  const b = object(body, 'body');
  for (const k of Object.keys(b))
    if (!['rows', 'context', 'at'].includes(k)) throw new ValidationError(`unknown field "${k}"`, { field: k });
  if (!Array.isArray(b.rows) || b.rows.length === 0)
    throw new ValidationError('rows must be a non-empty array of {entityId, context?, at?}', { field: 'rows' });
  if (b.rows.length > maxRows)
    throw new ValidationError(`rows holds ${b.rows.length} rows; at most ${maxRows} are allowed`, { field: 'rows' });
  const context = b.context === undefined ? undefined : parseContext(b.context, 'context');
  const atMs = b.at === undefined ? undefined : parseTime(b.at, 'at');
  return b.rows.map((r: unknown, i: number) => {
    const row = parseRow(r, `rows[${i}].`);
    return {
      entityId: row.entityId,
      context: object(r, `rows[${i}]`).context === undefined && context ? context : row.context,
      ...(row.atMs !== undefined ? { atMs: row.atMs } : atMs !== undefined ? { atMs } : {}),
    };
  });
}

function parseRow(body: unknown, prefix: string): PredictRow {
  const b = object(body, prefix === '' ? 'body' : prefix.slice(0, -1));
  for (const k of Object.keys(b))
    if (!ROW_FIELDS.has(k)) throw new ValidationError(`unknown field "${k}"`, { field: `${prefix}${k}` });
  const entityId = b.entityId ?? b.entity_id;
  const field = `${prefix}entityId`;
  if (typeof entityId !== 'string' || entityId.length === 0)
    throw new ValidationError(`${field} must be a non-empty string`, { field });
  if (entityId.length > MAX_ID_LENGTH)
    throw new ValidationError(`${field} is ${entityId.length} characters long; at most ${MAX_ID_LENGTH} are allowed`, {
      field,
    });
  return {
    entityId,
    context: b.context === undefined ? {} : parseContext(b.context, `${prefix}context`),
    ...(b.at !== undefined ? { atMs: parseTime(b.at, `${prefix}at`) } : {}),
  };
}

function parseContext(value: unknown, field: string): PredictRow['context'] {
  const c = object(value, field);
  for (const k of Object.keys(c))
    if (!CONTEXT_FIELDS.has(k)) throw new ValidationError(`unknown field "${k}"`, { field: `${field}.${k}` });
  const out: { channel?: string; contentId?: string; attributes?: Record<string, string | number | boolean> } = {};
  if (c.channel !== undefined) {
    if (typeof c.channel !== 'string' || !(CHANNELS as readonly string[]).includes(c.channel))
      throw new ValidationError(`${field}.channel must be one of ${CHANNELS.join(', ')}`, {
        field: `${field}.channel`,
      });
    out.channel = c.channel;
  }
  const contentId = c.content_id ?? c.contentId;
  if (contentId !== undefined) {
    const f = `${field}.content_id`;
    if (typeof contentId !== 'string' || contentId.length === 0 || contentId.length > MAX_ID_LENGTH)
      throw new ValidationError(`${f} must be a string of 1..${MAX_ID_LENGTH} characters`, { field: f });
    out.contentId = contentId;
  }
  if (c.attributes !== undefined) {
    const a = object(c.attributes, `${field}.attributes`);
    const keys = Object.keys(a);
    if (keys.length > MAX_ATTRIBUTES)
      throw new ValidationError(`${field}.attributes holds ${keys.length} attributes; at most ${MAX_ATTRIBUTES}`, {
        field: `${field}.attributes`,
      });
    const attributes: Record<string, string | number | boolean> = Object.create(null);
    for (const k of keys) {
      const v = a[k];
      const f = `${field}.attributes.${k}`;
      if (
        k === '__proto__' ||
        !(typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))
      )
        throw new ValidationError(`${f} must be a string, a finite number or a boolean`, { field: f });
      attributes[k] = v;
    }
    out.attributes = { ...attributes };
  }
  return out;
}

// Years 1970..9999: an event time the platform can hold.
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function parseTime(value: unknown, field: string): number {
  const ms =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)
        ? Date.parse(value)
        : NaN;
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_TIME_MS)
    throw new ValidationError(`${field} must be an RFC 3339 time (e.g. 2026-09-01T12:00:00Z) or epoch milliseconds`, {
      field,
    });
  return ms;
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ValidationError(`${field} must be a JSON object`, { field });
  return v as Record<string, unknown>;
}
