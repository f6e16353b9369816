import type { AttributeSpec, EventTypeCatalog } from '../catalog/event-type-catalog';
import { DEFAULT_STRING_ATTRIBUTE_MAX_LENGTH } from '../catalog/event-type-catalog';
import type { AttributeValue, Channel, EngagementEvent, ProfileAttributes } from '../engagement-event/engagement-event';
import { CHANNELS } from '../engagement-event/engagement-event';
import type { EventValidationOptions, EventValidationResult } from './event-rejection';
import { DEFAULT_MAX_FUTURE_SKEW_MS, rejection } from './event-rejection';

/**
 * The wire-neutral view of an event before validation. Both the protobuf and the JSON reader only
 * map their format onto this shape (no judgement); validateEventCandidate is the one place that
 * decides, so the same content gets the same verdict whatever format it arrived in.
 */
export interface EventCandidate {
  readonly eventId?: unknown;
  readonly entityId?: unknown;
  readonly eventType?: unknown;
  /** Epoch ms (number) or an RFC 3339 string. */
  readonly eventTime?: unknown;
  /** A channel name (slack, SLACK, CHANNEL_SLACK) or its proto enum number. */
  readonly channel?: unknown;
  readonly contentId?: unknown;
  /** Attribute name -> value; null/undefined values count as absent. */
  readonly attributes?: unknown;
  readonly profile?: unknown;
  /** Fields the reader did not recognise (JSON keys, or "#<number>" for protobuf fields). */
  readonly unknownFields?: readonly string[];
  /** Fields given twice under different spellings (JSON event_id and eventId). */
  readonly duplicateFields?: readonly string[];
}

/** Ids and other free strings longer than this are rejected (invalid_value): they are keys everywhere. */
export const MAX_ID_LENGTH = 256;
/** Latest representable event time (9999-12-31T23:59:59.999Z), as in google.protobuf.Timestamp. */
export const MAX_EVENT_TIME_MS = 253402300799999;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const PROFILE_KEYS = ['role', 'region'];

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isAbsent(value: unknown): boolean {
  // proto3 cannot tell an empty string from a missing one, so neither can JSON: one verdict for both.
  return value === undefined || value === null || value === '';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

type Failure = Extract<EventValidationResult, { ok: false }>;
type Parsed<T> = { readonly ok: true; readonly value: T } | Failure;

function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

/**
 * Why `value` is not an acceptable id-like string, or undefined when it is (an absent optional one is
 * too: stringOrUndefined gives its value). No result object on success: this runs for every field of
 * every consumed event.
 */
function checkString(value: unknown, field: string, required: boolean): Failure | undefined {
  if (isAbsent(value)) return required ? rejection('missing_field', `${field} is required`, field) : undefined;
  if (typeof value !== 'string')
    return rejection('wrong_type', `${field} must be a string, got ${describe(value)}`, field);
  const defect = idStringDefect(value);
  if (defect !== undefined) return rejection('invalid_value', `${field} ${defect}`, field);
  return undefined;
}

/**
 * What makes a string unfit for an id or a stored text field, as the end of a sentence naming it
 * ("… is 300 characters long; …"), or undefined when it is fit. The one rule for events and for
 * the ids a read asks for.
 */
export function idStringDefect(value: string): string | undefined {
  if (value.length > MAX_ID_LENGTH) return `is ${value.length} characters long; at most ${MAX_ID_LENGTH} are allowed`;
  // JSON can carry one ("\ud800"); Postgres and Redis would store it as U+FFFD, another id than the one
  // the service keeps in memory.
  if (!value.isWellFormed()) return 'holds a lone surrogate (not well-formed Unicode)';
  // Postgres text cannot hold U+0000: the event log would refuse the event after the state took it.
  if (value.includes('\u0000')) return 'holds a NUL character (U+0000), which the event log cannot store';
  return undefined;
}

/** The value of a string that passed checkString (undefined when absent). */
function stringOrUndefined(value: unknown): string | undefined {
  return isAbsent(value) ? undefined : (value as string);
}

/** The first key of `o` (in sort order) not in `known`, as `Object.keys(o).filter(...).sort()[0]` but without the arrays. */
function firstUnknownKey(
  o: Record<string, unknown>,
  known: ReadonlyMap<string, unknown> | ReadonlySet<string>,
): string | undefined {
  let first: string | undefined;
  for (const key in o) {
    if (!Object.prototype.hasOwnProperty.call(o, key) || known.has(key)) continue;
    if (first === undefined || key < first) first = key;
  }
  return first;
}

// Date.parse rolls 2024-02-30 over to March 1st; a producer sending it has a bug worth hearing about.
function isRealDate(rfc3339: string): boolean {
  const [y, m, d, hh, mm, ss] = [0, 5, 8, 11, 14, 17].map((at) => Number(rfc3339.slice(at, at + (at === 0 ? 4 : 2))));
  const date = new Date(Date.UTC(y, m - 1, d));
  return (
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === m - 1 &&
    date.getUTCDate() === d &&
    hh < 24 &&
    mm < 60 &&
    ss < 60
  );
}

/** The event time in epoch ms, or why not (a Failure object; a number means success, no wrapper). */
function parseEventTime(value: unknown): number | Failure {
  const field = 'event_time';
  if (isAbsent(value)) return rejection('missing_field', `${field} is required`, field);
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value))
      return rejection('invalid_value', `${field} must be whole epoch milliseconds, got ${value}`, field);
    ms = value;
  } else if (typeof value === 'string') {
    ms = RFC3339.test(value) && isRealDate(value) ? Date.parse(value.replace(' ', 'T')) : NaN;
    if (Number.isNaN(ms)) {
      return rejection(
        'invalid_value',
        `${field} must be an RFC 3339 time with a zone (e.g. 2024-05-01T12:00:00Z), got '${value}'`,
        field,
      );
    }
  } else {
    return rejection(
      'wrong_type',
      `${field} must be an RFC 3339 string or epoch milliseconds, got ${describe(value)}`,
      field,
    );
  }
  if (ms < 0 || ms > MAX_EVENT_TIME_MS) {
    return rejection('invalid_value', `${field} ${ms} ms is outside 1970-01-01 .. 9999-12-31`, field);
  }
  return ms;
}

/** The channel, or why not (a Failure object; a string means success, no wrapper). */
function parseChannel(value: unknown): Channel | Failure {
  const field = 'channel';
  // Enum number 0 is CHANNEL_UNSPECIFIED, which is how proto3 says "not set".
  if (isAbsent(value) || value === 0) return rejection('missing_field', `${field} is required`, field);
  if (typeof value === 'number') {
    const channel = Number.isInteger(value) ? CHANNELS[value - 1] : undefined;
    if (channel === undefined)
      return rejection('invalid_value', `${field} enum number ${value} is not a known channel`, field);
    return channel;
  }
  if (typeof value !== 'string')
    return rejection('wrong_type', `${field} must be a string, got ${describe(value)}`, field);
  const name = value.toLowerCase().replace(/^channel_/, '');
  if (!(CHANNELS as readonly string[]).includes(name)) {
    return rejection('invalid_value', `${field} must be one of ${CHANNELS.join(', ')}, got '${value}'`, field);
  }
  return name as Channel;
}

function parseProfile(value: unknown): Parsed<ProfileAttributes | undefined> {
  if (value === undefined || value === null) return ok(undefined);
  if (!isPlainObject(value))
    return rejection('wrong_type', `profile must be an object, got ${describe(value)}`, 'profile');
  const unknown = firstUnknownKey(value, PROFILE_KEY_SET);
  if (unknown !== undefined) {
    return rejection(
      'unknown_field',
      `profile.${unknown} is not a profile attribute (allowed: ${PROFILE_KEYS.join(', ')})`,
      `profile.${unknown}`,
    );
  }
  const roleFailure = checkString(value.role, 'profile.role', false);
  if (roleFailure !== undefined) return roleFailure;
  const regionFailure = checkString(value.region, 'profile.region', false);
  if (regionFailure !== undefined) return regionFailure;
  const role = stringOrUndefined(value.role);
  const region = stringOrUndefined(value.region);
  if (role === undefined) return ok(region === undefined ? undefined : { region });
  return ok(region === undefined ? { role } : { role, region });
}

const PROFILE_KEY_SET: ReadonlySet<string> = new Set(PROFILE_KEYS);

/** Why `value` does not fit `spec`, or undefined when it does (then it is the attribute's value as given). */
function checkAttribute(spec: AttributeSpec, value: unknown): Failure | undefined {
  // Built only for a failure: this runs for every attribute of every consumed event.
  const field = (): string => `attributes.${spec.name}`;
  switch (spec.type) {
    case 'boolean':
      if (typeof value !== 'boolean')
        return rejection('wrong_type', `${field()} must be a boolean, got ${describe(value)}`, field());
      return undefined;
    case 'number': {
      if (typeof value !== 'number')
        return rejection('wrong_type', `${field()} must be a number, got ${describe(value)}`, field());
      if (!Number.isFinite(value))
        return rejection('invalid_value', `${field()} must be a finite number, got ${value}`, field());
      if (spec.integer === true && !Number.isInteger(value))
        return rejection('invalid_value', `${field()} must be an integer, got ${value}`, field());
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        return rejection(
          'invalid_value',
          `${field()} must be in [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}], got ${value}`,
          field(),
        );
      }
      return undefined;
    }
    case 'string': {
      if (typeof value !== 'string')
        return rejection('wrong_type', `${field()} must be a string, got ${describe(value)}`, field());
      const max = spec.maxLength ?? DEFAULT_STRING_ATTRIBUTE_MAX_LENGTH;
      if (value.length > max)
        return rejection(
          'invalid_value',
          `${field()} is ${value.length} characters long; at most ${max} are allowed`,
          field(),
        );
      return undefined;
    }
    case 'enum':
      if (typeof value !== 'string')
        return rejection('wrong_type', `${field()} must be a string, got ${describe(value)}`, field());
      if (!spec.values.includes(value)) {
        return rejection(
          'invalid_value',
          `${field()} must be one of ${spec.values.join(', ')}, got '${value}'`,
          field(),
        );
      }
      return undefined;
  }
}

function parseAttributes(
  value: unknown,
  eventType: string,
  catalog: EventTypeCatalog,
): Parsed<Record<string, AttributeValue>> {
  const definition = catalog.get(eventType);
  if (definition === undefined)
    return rejection('unknown_event_type', `event_type '${eventType}' is not in the catalog`, 'event_type');
  if (value !== undefined && value !== null && !isPlainObject(value)) {
    return rejection('wrong_type', `attributes must be an object, got ${describe(value)}`, 'attributes');
  }
  const given = (value ?? {}) as Record<string, unknown>;
  const out: Record<string, AttributeValue> = {};
  // Declared attributes in catalog order, then unknown names sorted: the verdict does not depend on
  // the order a format happens to list them in.
  for (const spec of definition.attributes) {
    const raw = Object.prototype.hasOwnProperty.call(given, spec.name) ? given[spec.name] : undefined;
    if (raw === undefined || raw === null) {
      if (spec.required === true)
        return rejection(
          'missing_field',
          `attributes.${spec.name} is required for ${eventType} events`,
          `attributes.${spec.name}`,
        );
      continue;
    }
    const failure = checkAttribute(spec, raw);
    if (failure !== undefined) return failure;
    out[spec.name] = raw as AttributeValue;
  }
  const unknown = firstUnknownKey(given, definition.attributesByName);
  if (unknown !== undefined) {
    const declared = definition.attributes.map((a) => a.name);
    return rejection(
      'unknown_field',
      `attributes.${unknown} is not declared for ${eventType} events (declared: ${declared.length > 0 ? declared.join(', ') : 'none'})`,
      `attributes.${unknown}`,
    );
  }
  return ok(out);
}

/** The single validation of an engagement event, whatever format it came in. */
export function validateEventCandidate(
  candidate: EventCandidate,
  catalog: EventTypeCatalog,
  options: EventValidationOptions = {},
): EventValidationResult {
  const unknownField = candidate.unknownFields?.[0];
  if (unknownField !== undefined) {
    return rejection('unknown_field', `${unknownField} is not a field of EngagementEvent`, unknownField);
  }
  const duplicate = candidate.duplicateFields?.[0];
  if (duplicate !== undefined) {
    return rejection('invalid_value', `${duplicate} is given twice (snake_case and camelCase spellings)`, duplicate);
  }
  const idFailure =
    checkString(candidate.eventId, 'event_id', true) ??
    checkString(candidate.entityId, 'entity_id', true) ??
    checkString(candidate.eventType, 'event_type', true);
  if (idFailure !== undefined) return idFailure;
  const type = candidate.eventType as string;
  if (!catalog.has(type)) {
    return rejection(
      'unknown_event_type',
      `event_type '${type}' is not in the catalog '${catalog.name}'`,
      'event_type',
    );
  }
  const eventTimeMs = parseEventTime(candidate.eventTime);
  if (typeof eventTimeMs !== 'number') return eventTimeMs;
  const nowMs = options.nowMs ?? Date.now();
  const skew = options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS;
  if (eventTimeMs > nowMs + skew) {
    return rejection(
      'future_event_time',
      `event_time ${new Date(eventTimeMs).toISOString()} is ${eventTimeMs - nowMs} ms ahead of now (${new Date(nowMs).toISOString()}); at most ${skew} ms is allowed`,
      'event_time',
    );
  }
  const channel = parseChannel(candidate.channel);
  if (typeof channel !== 'string') return channel;
  const contentIdFailure = checkString(candidate.contentId, 'content_id', false);
  if (contentIdFailure !== undefined) return contentIdFailure;
  const contentId = stringOrUndefined(candidate.contentId);
  const profile = parseProfile(candidate.profile);
  if (!profile.ok) return profile;
  const attributes = parseAttributes(candidate.attributes, type, catalog);
  if (!attributes.ok) return attributes;

  // Optional keys only when present, in this order (what JSON output and equality see); one literal
  // per combination, so the object is allocated once with its final shape.
  const eventId = candidate.eventId as string;
  const entityId = candidate.entityId as string;
  const attrs = attributes.value;
  const p = profile.value;
  const event: EngagementEvent =
    contentId === undefined
      ? p === undefined
        ? { eventId, entityId, eventType: type, eventTimeMs, channel, attributes: attrs }
        : { eventId, entityId, eventType: type, eventTimeMs, channel, attributes: attrs, profile: p }
      : p === undefined
        ? { eventId, entityId, eventType: type, eventTimeMs, channel, contentId, attributes: attrs }
        : { eventId, entityId, eventType: type, eventTimeMs, channel, contentId, attributes: attrs, profile: p };
  return { ok: true, event };
}
