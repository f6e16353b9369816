import { CHANNELS, DEFAULT_STRING_ATTRIBUTE_MAX_LENGTH, idStringDefect, MAX_ID_LENGTH } from '@pulse/contracts';
import { ValidationError } from '@pulse/core';
import { parseAt } from '@pulse/features';

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

/**
 * POST /v1/predict/{model}: `{"entityId", "context"?: {"channel", "content_id", "attributes"}, "at"?}`;
 * an optional field given as null is left out.
 */
export function parsePredictRequest(body: unknown): PredictRow {
  return parseRow(body, '');
}

/**
 * POST /v1/predict/{model}/batch: `{"rows": [row, …], "context"?, "at"?}` — the top-level context and
 * time apply to rows that give none. At most `maxRows` rows.
 */
export function parseBatchRequest(body: unknown, maxRows: number): PredictRow[] {
  const b = object(body, 'body');
  for (const k of Object.keys(b)) if (!['rows', 'context', 'at'].includes(k)) throw unknownField(k, '');
  if (!Array.isArray(b.rows) || b.rows.length === 0)
    throw new ValidationError('rows must be a non-empty array of {entityId, context?, at?}', { field: 'rows' });
  if (b.rows.length > maxRows)
    throw new ValidationError(`rows holds ${b.rows.length} rows; at most ${maxRows} are allowed`, { field: 'rows' });
  const context = absent(b.context) ? undefined : parseContext(b.context, 'context');
  const atMs = parseTime(b.at, 'at');
  return b.rows.map((r: unknown, i: number) => {
    const row = parseRow(r, `rows[${i}].`);
    return {
      entityId: row.entityId,
      context: absent(object(r, `rows[${i}]`).context) && context ? context : row.context,
      ...(row.atMs !== undefined ? { atMs: row.atMs } : atMs !== undefined ? { atMs } : {}),
    };
  });
}

function parseRow(body: unknown, prefix: string): PredictRow {
  const b = object(body, prefix === '' ? 'body' : prefix.slice(0, -1));
  for (const k of Object.keys(b)) if (!ROW_FIELDS.has(k)) throw unknownField(k, prefix.slice(0, -1));
  const entityId = idString(oneSpelling(b, 'entityId', 'entity_id', prefix), `${prefix}entityId`);
  const context = absent(b.context) ? {} : parseContext(b.context, `${prefix}context`);
  const atMs = parseTime(b.at, `${prefix}at`);
  return { entityId, context, ...(atMs !== undefined ? { atMs } : {}) };
}

function parseContext(value: unknown, field: string): PredictRow['context'] {
  const c = object(value, field);
  for (const k of Object.keys(c)) if (!CONTEXT_FIELDS.has(k)) throw unknownField(k, field);
  const out: { channel?: string; contentId?: string; attributes?: Record<string, string | number | boolean> } = {};
  if (!absent(c.channel)) {
    if (typeof c.channel !== 'string' || !(CHANNELS as readonly string[]).includes(c.channel))
      throw new ValidationError(`${field}.channel must be one of ${CHANNELS.join(', ')}`, {
        field: `${field}.channel`,
      });
    out.channel = c.channel as string;
  }
  const contentId = oneSpelling(c, 'content_id', 'contentId', `${field}.`);
  if (!absent(contentId)) out.contentId = idString(contentId, `${field}.content_id`);
  if (!absent(c.attributes)) {
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
      // A name or text no event could carry (NUL, a lone surrogate, too long) is no trigger's context.
      const nameDefect = k === '__proto__' ? 'is not an attribute name' : idStringDefect(k);
      if (nameDefect !== undefined)
        throw new ValidationError(`attribute name ${JSON.stringify(k.slice(0, 64))} ${nameDefect}`, {
          field: `${field}.attributes.${k.slice(0, MAX_ID_LENGTH)}`,
        });
      if (!(typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))))
        throw new ValidationError(`${f} must be a string, a finite number or a boolean`, { field: f });
      if (typeof v === 'string') {
        const defect =
          v.length > DEFAULT_STRING_ATTRIBUTE_MAX_LENGTH
            ? `is ${v.length} characters long; at most ${DEFAULT_STRING_ATTRIBUTE_MAX_LENGTH} are allowed`
            : idStringDefect(v);
        if (defect !== undefined) throw new ValidationError(`${f} ${defect}`, { field: f });
      }
      attributes[k] = v;
    }
    out.attributes = { ...attributes };
  }
  return out;
}

/**
 * `at` as feature-service reads it (parseAt): an RFC 3339 date-time with a zone from 1970 to 9999, or
 * whole epoch milliseconds (a number or digits) from 2000; a day the month has not, an hour 24 or a
 * time without a zone is refused rather than rolled over or read in the server's zone. null: now.
 */
function parseTime(value: unknown, field: string): number | undefined {
  return absent(value) ? undefined : parseAt(value, field);
}

/** An optional field left out or given as null (as an event's optional fields may be). */
function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/**
 * The refusal of a key that is not a field of the object `parent` ('' for the body); a long key is
 * named by its start (the answer stays small), an empty one by its object.
 */
function unknownField(key: string, parent: string): ValidationError {
  const field = key === '' ? parent || 'body' : parent === '' ? key : `${parent}.${key}`;
  return new ValidationError(`unknown field ${JSON.stringify(key.slice(0, 64))}`, {
    field: field.slice(0, 2 * MAX_ID_LENGTH),
  });
}

/** An id-like string (entity, content) as an event can carry it: 1..MAX_ID_LENGTH, no NUL, no lone surrogate. */
function idString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new ValidationError(`${field} must be a non-empty string`, { field });
  const defect = idStringDefect(value);
  if (defect !== undefined) throw new ValidationError(`${field} ${defect}`, { field });
  return value;
}

/** A field that has two spellings: given both ways it is ambiguous, so refused naming the second. */
function oneSpelling(o: Record<string, unknown>, name: string, alias: string, prefix: string): unknown {
  if (!absent(o[name]) && !absent(o[alias]))
    throw new ValidationError(`${prefix}${name} and ${prefix}${alias} are the same field: give it once`, {
      field: `${prefix}${alias}`,
    });
  return o[name] ?? o[alias];
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ValidationError(`${field} must be a JSON object`, { field });
  return v as Record<string, unknown>;
}
