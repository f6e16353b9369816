import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { fromBinary } from '@bufbuild/protobuf';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import type { RejectionReason, WireFormat } from '../validation/event-rejection';
import { idStringDefect, MAX_EVENT_TIME_MS } from '../validation/validate-engagement-event';
import { resolveWireFormat } from '../wire/content-type';
import { ContractMessageError } from './contract-message.error';

/**
 * Field-by-field checks shared by the training request and model lifecycle codecs. Both formats are
 * first mapped onto a plain object keyed by the TypeScript field names, then judged here, so a value
 * gets the same verdict (and the same error) whether it came as protobuf or as JSON.
 */

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const MODEL_NAME = /^[A-Za-z0-9._-]+$/;
const INT32_MAX = 2_147_483_647;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON cannot hold NaN or ±Infinity; they travel as these strings, as in protobuf's JSON mapping. */
const NON_FINITE: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** proto3 cannot tell an empty string (or a zero enum) from a missing one, so neither can JSON: one verdict for both. */
function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

// Date.parse rolls 2024-02-30 over to March 1st; a sender writing it has a bug worth hearing about.
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

/** A Timestamp as epoch ms; NaN for a malformed one (nanos outside [0, 1e9)), so the time check rejects it. */
export function timestampToMs(ts: Timestamp | undefined): number | undefined {
  if (ts === undefined) return undefined;
  if (ts.nanos < 0 || ts.nanos > 999_999_999) return NaN;
  return Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6);
}

/** How encodeTrainingRequest / encodeModelLifecycle write a record: protobuf (what services exchange) or JSON. */
export type MessageFormat = 'proto' | 'json';

/** An encoded record: the Kafka record value and its content-type header. */
export interface EncodedMessage {
  readonly value: Buffer;
  readonly contentType: string;
}

/** A number for JSON: finite ones as they are, the others as "NaN" / "Infinity" / "-Infinity". */
export function numberToJson(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

/** The bytes as a Buffer without copying them. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads and checks the fields of one contract's messages; every failure is a ContractMessageError naming the field. */
export class ContractMessageReader {
  constructor(
    /** The proto message name, e.g. "TrainingRequest"; it prefixes every error message. */
    readonly contract: string,
  ) {}

  fail(reason: RejectionReason, message: string, field?: string): never {
    throw new ContractMessageError(this.contract, reason, message, field);
  }

  /**
   * protobuf or JSON, from the content-type header (see resolveWireFormat: without one, a value
   * starting with "{" is JSON, anything else protobuf; 0x7b would open field 15 as a group, which
   * neither message has).
   */
  wireFormat(contentType: string | null | undefined, bytes: Uint8Array): WireFormat {
    const resolved = resolveWireFormat(contentType, bytes);
    if (!resolved.ok) {
      this.fail(
        'undecodable',
        `unsupported content type '${resolved.contentType}' (expected application/x-protobuf or application/json)`,
      );
    }
    return resolved.format;
  }

  /**
   * Unknown fields are ignored: they are how the schema grows (a newer producer's fields must not
   * break an older consumer), and binary protobuf has no misspelt names to catch.
   */
  protobuf<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
    try {
      return fromBinary(schema, bytes);
    } catch (err) {
      return this.fail('undecodable', `value is not a valid protobuf ${this.contract}: ${(err as Error).message}`);
    }
  }

  jsonObject(bytes: Uint8Array): Record<string, unknown> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(utf8.decode(bytes));
    } catch (err) {
      return this.fail('undecodable', `value is not valid UTF-8 JSON: ${(err as Error).message}`);
    }
    return this.object(parsed);
  }

  /** A JSON object; unknown keys are rejected, because in hand-written JSON they are usually misspelt fields. */
  object(value: unknown, known?: ReadonlySet<string>): Record<string, unknown> {
    if (!isPlainObject(value))
      this.fail('wrong_type', `a ${this.contract} must be a JSON object, got ${describeValue(value)}`);
    if (known !== undefined) {
      const unknown = Object.keys(value)
        .filter((key) => !known.has(key))
        .sort();
      if (unknown.length > 0)
        this.fail('unknown_field', `${unknown[0]} is not a field of ${this.contract}`, unknown[0]);
    }
    return value;
  }

  /** An id-like string (at most 256 characters, well-formed, no NUL); '' counts as absent. */
  requiredId(value: unknown, field: string): string {
    const id = this.optionalId(value, field);
    if (id === undefined) this.fail('missing_field', `${field} is required`, field);
    return id;
  }

  optionalId(value: unknown, field: string): string | undefined {
    if (isAbsent(value)) return undefined;
    if (typeof value !== 'string')
      this.fail('wrong_type', `${field} must be a string, got ${describeValue(value)}`, field);
    const defect = idStringDefect(value);
    if (defect !== undefined) this.fail('invalid_value', `${field} ${defect}`, field);
    return value;
  }

  /** A model spec name: it ends up in topic names (predictions.<model>.v1), so Kafka's topic characters only. */
  modelName(value: unknown, field: string): string {
    const name = this.requiredId(value, field);
    if (!MODEL_NAME.test(name)) {
      this.fail('invalid_value', `${field} '${name}' may hold only letters, digits, '.', '_' and '-'`, field);
    }
    return name;
  }

  /** Free text of any length (absent: ''), still stored as text, so no lone surrogates or NULs. */
  text(value: unknown, field: string): string {
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string')
      this.fail('wrong_type', `${field} must be a string, got ${describeValue(value)}`, field);
    if (!value.isWellFormed())
      this.fail('invalid_value', `${field} holds a lone surrogate (not well-formed Unicode)`, field);
    if (value.includes('\u0000')) this.fail('invalid_value', `${field} holds a NUL character (U+0000)`, field);
    return value;
  }

  requiredTime(value: unknown, field: string): number {
    const ms = this.optionalTime(value, field);
    if (ms === undefined) this.fail('missing_field', `${field} is required`, field);
    return ms;
  }

  /** Epoch ms from whole epoch milliseconds or an RFC 3339 string with a zone. */
  optionalTime(value: unknown, field: string): number | undefined {
    if (isAbsent(value)) return undefined;
    let ms: number;
    if (typeof value === 'number') {
      if (!Number.isInteger(value))
        this.fail('invalid_value', `${field} must be whole epoch milliseconds, got ${value}`, field);
      ms = value;
    } else if (typeof value === 'string') {
      ms = RFC3339.test(value) && isRealDate(value) ? Date.parse(value.replace(' ', 'T')) : NaN;
      if (Number.isNaN(ms)) {
        this.fail(
          'invalid_value',
          `${field} must be an RFC 3339 time with a zone (e.g. 2024-05-01T12:00:00Z), got '${value}'`,
          field,
        );
      }
    } else {
      this.fail(
        'wrong_type',
        `${field} must be an RFC 3339 string or epoch milliseconds, got ${describeValue(value)}`,
        field,
      );
    }
    if (!(ms >= 0 && ms <= MAX_EVENT_TIME_MS)) {
      this.fail('invalid_value', `${field} ${ms} ms is outside 1970-01-01 .. 9999-12-31`, field);
    }
    return ms;
  }

  /** One of `names`; the protobuf readers map enum numbers to these names (0 to absent, unknown numbers to the number). */
  enumName<T extends string>(value: unknown, field: string, names: readonly T[]): T {
    if (isAbsent(value)) this.fail('missing_field', `${field} is required`, field);
    if (typeof value !== 'string' && typeof value !== 'number') {
      this.fail('wrong_type', `${field} must be a string, got ${describeValue(value)}`, field);
    }
    if (typeof value === 'number' || !(names as readonly string[]).includes(value)) {
      this.fail('invalid_value', `${field} must be one of ${names.join(', ')}; got '${value}'`, field);
    }
    return value as T;
  }

  /** A 32-bit integer of at least `min`; absent (undefined / null) gives undefined. */
  optionalInt(value: unknown, field: string, min: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number')
      this.fail('wrong_type', `${field} must be a number, got ${describeValue(value)}`, field);
    if (!Number.isInteger(value) || value < min || value > INT32_MAX) {
      this.fail('invalid_value', `${field} must be an integer from ${min} to ${INT32_MAX}, got ${value}`, field);
    }
    return value;
  }

  optionalBool(value: unknown, field: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean')
      this.fail('wrong_type', `${field} must be a boolean, got ${describeValue(value)}`, field);
    return value;
  }

  /** Entries of a map field (absent: none), each key checked as an id. */
  private entries(value: unknown, field: string): Array<[string, unknown]> {
    if (value === undefined || value === null) return [];
    if (!isPlainObject(value))
      this.fail('wrong_type', `${field} must be an object, got ${describeValue(value)}`, field);
    const entries = Object.entries(value);
    for (const [key] of entries) {
      if (key === '') this.fail('invalid_value', `${field} has an empty key`, field);
      // an own "__proto__" would be read back as the object's prototype: no name of ours is spelt so
      if (key === '__proto__') this.fail('invalid_value', `${field} key "__proto__" is not allowed`, field);
      const defect = idStringDefect(key);
      if (defect !== undefined) this.fail('invalid_value', `${field} key ${defect}`, field);
    }
    return entries;
  }

  /** String values; JSON numbers and booleans are taken as their text, since people write {"max_depth": 6}. */
  stringMap(value: unknown, field: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, v] of this.entries(value, field)) {
      const path = `${field}.${key}`;
      if (v === undefined || v === null) this.fail('missing_field', `${path} has no value`, path);
      out[key] =
        (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean' ? String(v) : this.text(v, path);
    }
    return out;
  }

  /** Doubles; "NaN", "Infinity" and "-Infinity" (JSON's spelling of them) are accepted as those numbers. */
  numberMap(value: unknown, field: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, v] of this.entries(value, field)) {
      const path = `${field}.${key}`;
      if (typeof v === 'number') out[key] = v;
      else if (typeof v === 'string' && Object.prototype.hasOwnProperty.call(NON_FINITE, v)) out[key] = NON_FINITE[v];
      else if (v === undefined || v === null) this.fail('missing_field', `${path} has no value`, path);
      else this.fail('wrong_type', `${path} must be a number, got ${describeValue(v)}`, path);
    }
    return out;
  }

  intMap(value: unknown, field: string, min: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, v] of this.entries(value, field)) {
      const path = `${field}.${key}`;
      const n = this.optionalInt(v, path, min);
      if (n === undefined) this.fail('missing_field', `${path} has no value`, path);
      out[key] = n;
    }
    return out;
  }

  /** A list of distinct ids (absent: empty). */
  idList(value: unknown, field: string): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail('wrong_type', `${field} must be an array, got ${describeValue(value)}`, field);
    const seen = new Set<string>();
    return value.map((item, i) => {
      const path = `${field}[${i}]`;
      const id = this.requiredId(item, path);
      if (seen.has(id)) this.fail('invalid_value', `${path} '${id}' is listed twice`, path);
      seen.add(id);
      return id;
    });
  }
}
