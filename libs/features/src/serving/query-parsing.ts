import { idStringDefect, MAX_EVENT_TIME_MS } from '@pulse/contracts';
import { ValidationError } from '@pulse/core';

/**
 * Earliest `at` given as epoch milliseconds (2000-01-01T00:00:00Z). A smaller number is far likelier
 * epoch seconds or a year (`at=2030`) than a time before 2000, and answering it as milliseconds would
 * silently answer for 1970.
 */
export const MIN_AT_EPOCH_MS = Date.UTC(2000, 0, 1);
/** Earliest `at` given as an RFC 3339 date-time: the epoch, as for event times. */
export const MIN_AT_DATE_TIME_MS = 0;
/** Latest `at` in either form (9999-12-31T23:59:59.999Z), the latest event time. */
export const MAX_AT_MS = MAX_EVENT_TIME_MS;

/** What `at` accepts, for the API's documentation. */
export const AT_DESCRIPTION =
  'As-of time; default now. Either an RFC 3339 date-time with seconds and a zone (e.g. 2026-11-10T12:00:00Z, ' +
  '2026-11-10T13:00:00.250+01:00; a "+" in a query string is sent as %2B) from 1970-01-01T00:00:00Z to ' +
  `9999-12-31T23:59:59.999Z, or whole epoch milliseconds from ${MIN_AT_EPOCH_MS} (2000-01-01) to ${MAX_AT_MS} ` +
  '(9999-12-31T23:59:59.999Z); smaller numbers are refused, as they are almost always seconds or a year. ' +
  'Fractions beyond milliseconds are truncated. Anything else is a 400 naming at.';

// Full date, time with seconds, optional fraction, Z or ±hh:mm (RFC 3339 §5.6; the T and Z may be lower case).
const RFC3339_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
// The same with a space where the offset's sign was: an unencoded "+" in a query string.
const PLUS_DECODED_AS_SPACE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)? \d{2}:\d{2}$/;
const DIGITS = /^\d+$/;
const EXPECTED = 'an RFC 3339 date-time (e.g. 2026-11-10T12:00:00Z) or epoch milliseconds';

/** `at` as epoch ms: absent (undefined or JSON null) means now; see AT_DESCRIPTION for the rest. */
export function parseAt(value: unknown, field: string, nowMs = Date.now()): number {
  if (value === undefined || value === null) return nowMs;
  if (typeof value === 'number') return epochMillis(value, String(value), field);
  if (typeof value !== 'string')
    throw new ValidationError(`${field} must be ${EXPECTED}, got ${describe(value)}`, { field });
  if (value === '')
    throw new ValidationError(`${field} is empty: give ${EXPECTED}, or leave it out for now`, { field });
  if (DIGITS.test(value)) return epochMillis(Number(value), value, field);
  return dateTime(value, field);
}

/** A query parameter that may be given at most once (the query parser makes an array of repeats). */
export function singleQueryValue(value: string | string[] | undefined, field: string): string | undefined {
  if (!Array.isArray(value)) return value;
  throw new ValidationError(`${field} is given ${value.length} times; give it once`, { field });
}

/** `view=a&view=b` or `view=a,b`. */
export function parseViews(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return list.length > 0 ? list : undefined;
}

/**
 * An entity id as an event can carry it (see the event validation): anything else has no events, and a
 * NUL or a lone surrogate would fail in Postgres or be read by Redis as another id.
 */
export function checkEntityId(id: unknown, field: string): string {
  if (typeof id !== 'string' || id.length === 0)
    throw new ValidationError(`${field} must be a non-empty string`, { field });
  const defect = idStringDefect(id);
  if (defect !== undefined) throw new ValidationError(`${field} ${defect}`, { field });
  return id;
}

function epochMillis(ms: number, text: string, field: string): number {
  // Beyond 2^53 a JSON number is not the integer written; outside the range it is a unit mistake.
  if (Number.isSafeInteger(ms) && ms >= MIN_AT_EPOCH_MS && ms <= MAX_AT_MS) return ms;
  throw new ValidationError(
    `${field} as epoch milliseconds must be a whole number from ${MIN_AT_EPOCH_MS} (2000-01-01T00:00:00Z) to ${MAX_AT_MS} (9999-12-31T23:59:59.999Z), got ${quote(text)}; ` +
      'a date is written as an RFC 3339 date-time, e.g. 2030-01-01T00:00:00Z',
    { field },
  );
}

function dateTime(text: string, field: string): number {
  const m = RFC3339_DATE_TIME.exec(text);
  if (m === null) {
    const hint = PLUS_DECODED_AS_SPACE.test(text)
      ? ' (a "+" in a query string is read as a space: send it as %2B)'
      : '';
    throw new ValidationError(`${field} must be ${EXPECTED}, got ${quote(text)}${hint}`, { field });
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const offsetMinutes = m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  // Date.UTC rolls Feb 30 over to March and hour 24 to the next day; the caller asked for neither.
  const valid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    Number(m[9] ?? 0) <= 23 &&
    Number(m[10] ?? 0) <= 59;
  if (!valid)
    throw new ValidationError(
      `${field} ${quote(text)} is not a real date and time (month 01-12, a day of that month, hour 00-23, minute and second 00-59, offset up to 23:59)`,
      { field },
    );
  // Date.UTC reads years 0-99 as 1900-1999; no year before 1969 can be in range even with an offset.
  const ms =
    year < 1969
      ? -Infinity
      : Date.UTC(year, month - 1, day, hour, minute, second, fractionMillis(m[7])) - offsetMinutes * 60_000;
  if (ms >= MIN_AT_DATE_TIME_MS && ms <= MAX_AT_MS) return ms;
  throw new ValidationError(
    `${field} must be from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, got ${quote(text)}`,
    { field },
  );
}

/** The milliseconds of a fraction of a second ("5" is 500, "123456" is 123: truncated). */
function fractionMillis(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(digits.slice(0, 3).padEnd(3, '0'));
}

function daysInMonth(year: number, month: number): number {
  // The Gregorian calendar repeats every 400 years; 2000 + year % 400 keeps Date.UTC off years 0-99.
  return new Date(Date.UTC(2000 + (year % 400), month, 0)).getUTCDate();
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The caller's text in a message, cut short: an answer should not echo a megabyte back. */
function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

/** Most entities one batch read may ask for. */
export const MAX_BATCH_ENTITIES = 1000;

/** A batch read as asked: ids checked, `at` read (default now), view names as given (checked by the reader). */
export interface BatchReadRequest {
  readonly entityIds: string[];
  readonly atMs: number;
  readonly views: string[] | undefined;
}

/** The body of a batch read (`{ entityIds, at?, views? }`), refused field by field as a ValidationError. */
export function parseBatchRequest(body: unknown, nowMs = Date.now()): BatchReadRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationError('the body must be a JSON object', { field: 'body' });
  const { entityIds, at, views } = body as { entityIds?: unknown; at?: unknown; views?: unknown };
  if (!Array.isArray(entityIds))
    throw new ValidationError('entityIds must be an array of strings', { field: 'entityIds' });
  if (entityIds.length === 0 || entityIds.length > MAX_BATCH_ENTITIES) {
    throw new ValidationError(`entityIds must hold 1 to ${MAX_BATCH_ENTITIES} ids, got ${entityIds.length}`, {
      field: 'entityIds',
    });
  }
  entityIds.forEach((id, i) => checkEntityId(id, `entityIds[${i}]`));
  if (views !== undefined && (!Array.isArray(views) || views.some((v) => typeof v !== 'string'))) {
    throw new ValidationError('views must be an array of view names', { field: 'views' });
  }
  return { entityIds: entityIds as string[], atMs: parseAt(at, 'at', nowMs), views: views as string[] | undefined };
}
