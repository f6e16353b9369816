import { Prng } from '@pulse/core';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { UnknownField } from '@bufbuild/protobuf';
import { WireType } from '@bufbuild/protobuf/wire';
import { TimestampSchema } from '@bufbuild/protobuf/wkt';
import { LEARNING_ENGAGEMENT_CATALOG as catalog } from '../catalog/learning-engagement.catalog';
import type { AttributeValue } from '../gen/pulse/v1/engagement_event_pb';
import { AttributeValueSchema, EngagementEventSchema, ProfileSchema } from '../gen/pulse/v1/engagement_event_pb';
import type { EventDecodeResult } from '../validation/event-rejection';
import { rejection } from '../validation/event-rejection';
import type { EventCandidate } from '../validation/validate-engagement-event';
import { validateEventCandidate } from '../validation/validate-engagement-event';
import { decodeEngagementEvent } from './engagement-event.codec';
import { protoToCandidate } from './engagement-event.proto';
import { readEngagementEventCandidate } from './engagement-event.reader';

// ---- building wire bytes by hand ----

type Bytes = readonly number[];
const textEncoder = new TextEncoder();

/** LEB128 of the value modulo 2^64 (a negative int32 or int64 takes ten bytes, as protobuf sends it). */
function varint(value: number | bigint): number[] {
  let rest = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return out;
}
/** The same value in exactly `length` bytes (redundant continuation bytes, which decoders accept). */
function longVarint(value: number | bigint, length: number): number[] {
  const out = varint(value);
  while (out.length < length) {
    out[out.length - 1] |= 0x80;
    out.push(0);
  }
  return out;
}
const tag = (no: number, wireType: number): number[] => varint(no * 8 + wireType);
const vint = (no: number, value: number | bigint): number[] => [...tag(no, 0), ...varint(value)];
const ld = (no: number, ...parts: Bytes[]): number[] => {
  const body = parts.flat();
  return [...tag(no, 2), ...varint(body.length), ...body];
};
const str = (no: number, text: string): number[] => ld(no, [...textEncoder.encode(text)]);
const float64 = (value: number): number[] => [...new Uint8Array(new Float64Array([value]).buffer)];
const f64 = (no: number, value: number): number[] => [...tag(no, 1), ...float64(value)];
const group = (no: number, ...parts: Bytes[]): number[] => [...tag(no, 3), ...parts.flat(), ...tag(no, 4)];
const nestedGroups = (no: number, depth: number): number[] =>
  depth === 0 ? [] : group(no, nestedGroups(no, depth - 1));
/** A map entry of attributes (field 7): key in field 1, AttributeValue in field 2. */
const entry = (key: string, ...valueFields: Bytes[]): number[] => ld(7, str(1, key), ld(2, ...valueFields));
const seconds = (s: number | bigint): number[] => vint(1, s);
const nanos = (n: number): number[] => vint(2, n);

// ---- comparing outcomes ----

/** A canonical text of a value: deep, with key order, undefined-valued keys, NaN, -0 and odd prototypes. */
function canon(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value}:${String(value)}`;
  if (Array.isArray(value)) return `[${value.map(canon).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const prefix = Object.getPrototypeOf(value) === Object.prototype ? '' : '(odd prototype)';
    return `${prefix}{${Object.keys(record)
      .map((k) => `${JSON.stringify(k)}:${canon(record[k])}`)
      .join(',')}}`;
  }
  return `(${typeof value})`;
}

function outcome(read: () => unknown): string {
  try {
    return canon(read());
  } catch (err) {
    return `throws ${(err as Error).name}: ${(err as Error).message}`;
  }
}

const reference = (bytes: Uint8Array): EventCandidate => protoToCandidate(fromBinary(EngagementEventSchema, bytes));
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function mismatches(inputs: readonly Uint8Array[]): string[] {
  const found: string[] = [];
  for (const bytes of inputs) {
    const expected = outcome(() => reference(bytes));
    const actual = outcome(() => readEngagementEventCandidate(bytes));
    if (actual !== expected) found.push(`${hex(bytes)}\n  protobuf-es: ${expected}\n  reader:      ${actual}`);
  }
  return found;
}

// ---- known cases ----

const EV = [...str(1, 'ev-1'), ...str(2, 'learner-1'), ...str(3, 'assessment_answered')];
const T0 = 1714564800; // 2024-05-01T12:00:00Z
const INVALID_UTF8 = 'The encoded data was not valid for encoding utf-8';

type Expected = string | Partial<Record<keyof EventCandidate, unknown>>;
const known: Array<[string, Bytes, Expected]> = [
  // valid events
  [
    'no bytes: every field at its default',
    [],
    {
      eventId: '',
      entityId: '',
      eventType: '',
      eventTime: undefined,
      channel: 0,
      contentId: undefined,
      attributes: {},
      profile: undefined,
      unknownFields: undefined,
    },
  ],
  [
    'a full event',
    [
      ...EV,
      ...ld(4, seconds(T0), nanos(250_000_000)),
      ...vint(5, 3),
      ...str(6, 'lesson-7'),
      ...entry('is_correct', vint(1, 1)),
      ...entry('time_taken_seconds', f64(2, 42.5)),
      ...ld(8, str(1, 'nurse'), str(2, 'emea')),
    ],
    {
      eventId: 'ev-1',
      entityId: 'learner-1',
      eventType: 'assessment_answered',
      eventTime: T0 * 1000 + 250,
      channel: 3,
      contentId: 'lesson-7',
      attributes: { is_correct: true, time_taken_seconds: 42.5 },
      profile: { role: 'nurse', region: 'emea' },
    },
  ],
  [
    'a string attribute and an empty content_id',
    [...entry('difficulty', str(3, 'advanced')), ...str(6, '')],
    { attributes: { difficulty: 'advanced' }, contentId: '' },
  ],
  ['an empty profile', ld(8), { profile: { role: undefined, region: undefined } }],
  ['an empty event_time is the epoch', ld(4), { eventTime: 0 }],
  ['nanos below a millisecond are dropped', ld(4, seconds(T0), nanos(999_999)), { eventTime: T0 * 1000 }],
  ['negative seconds', ld(4, seconds(-1), nanos(1_000_000)), { eventTime: -999 }],
  [
    'int64 seconds beyond 2^53 round like Number(bigint)',
    ld(4, seconds(2n ** 53n + 1n)),
    { eventTime: 2 ** 53 * 1000 },
  ],
  ['the largest int64 seconds', ld(4, seconds(2n ** 63n - 1n)), { eventTime: 2 ** 63 * 1000 }],
  ['the smallest int64 seconds', ld(4, seconds(-(2n ** 63n))), { eventTime: -(2 ** 63) * 1000 }],
  ['negative nanos are malformed (NaN)', ld(4, seconds(T0), nanos(-1)), { eventTime: NaN }],
  ['nanos of a full second are malformed (NaN)', ld(4, seconds(T0), nanos(1e9)), { eventTime: NaN }],
  [
    'nanos keep only the low 32 bits of a longer varint',
    ld(4, seconds(T0), vint(2, 2 ** 32 + 5_000_000)),
    { eventTime: T0 * 1000 + 5 },
  ],
  ['an over-long but valid 10-byte varint', [...tag(5, 0), ...longVarint(2, 10)], { channel: 2 }],
  // last one wins, messages merge
  ['a repeated string field: last one wins', [...str(1, 'a'), ...str(1, 'b')], { eventId: 'b' }],
  ['a repeated channel: last one wins', [...vint(5, 1), ...vint(5, 4)], { channel: 4 }],
  [
    'a repeated event_time merges field by field',
    [...ld(4, seconds(T0), nanos(7_000_000)), ...ld(4, seconds(T0 + 1))],
    { eventTime: (T0 + 1) * 1000 + 7 },
  ],
  [
    'a repeated profile merges field by field',
    [...ld(8, str(1, 'nurse')), ...ld(8, str(2, 'emea')), ...ld(8, str(1, 'doctor'))],
    { profile: { role: 'doctor', region: 'emea' } },
  ],
  ['the AttributeValue oneof: last one wins', entry('k', vint(1, 1), str(3, 'x')), { attributes: { k: 'x' } }],
  [
    'a repeated value field in one entry merges',
    [...ld(7, str(1, 'k'), ld(2, vint(1, 1)), ld(2, vint(9, 1)))],
    { attributes: { k: true }, unknownFields: ['attributes.k.#9'] },
  ],
  // the enum: open, read as int32 whatever the wire type
  ['an unknown channel number is kept', vint(5, 99), { channel: 99 }],
  ['a negative channel (10-byte varint)', vint(5, -1), { channel: -1 }],
  ['channel 2^31 wraps to int32', vint(5, 2 ** 31), { channel: -(2 ** 31) }],
  [
    'a packed channel: its length is read as the value, the rest as fields',
    [...tag(5, 2), 1, 0x03],
    'illegal tag: field no 0 wire type 3',
  ],
  ['a packed channel whose payload parses as fields', [...tag(5, 2), 2, ...vint(6, 0)], { channel: 2, contentId: '' }],
  ['a known field with the wrong wire type is read as declared', [...tag(1, 0), 1, 0x41], { eventId: 'A' }],
  ['a known field tagged end-group is read as declared', [...tag(1, 4), 1, 0x41], { eventId: 'A' }],
  [
    'a group-tagged event_time is read length-delimited',
    [...tag(4, 3), ...varint(2), ...seconds(5)],
    { eventTime: 5000 },
  ],
  ['a fixed32-tagged bool is read as a varint', entry('k', [...tag(1, 5), 1]), { attributes: { k: true } }],
  // booleans and doubles
  ['bool from a multi-byte varint', entry('k', [...tag(1, 0), ...varint(2 ** 40)]), { attributes: { k: true } }],
  [
    'bool keeps only 64 bits: 2^64 is false',
    entry('k', [...tag(1, 0), ...[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02]]),
    { attributes: { k: false } },
  ],
  ['bool 2^63 is true', entry('k', [...tag(1, 0), ...varint(2n ** 63n)]), { attributes: { k: true } }],
  [
    'doubles -0, NaN and Infinity',
    [...entry('a', f64(2, -0)), ...entry('b', f64(2, NaN)), ...entry('c', f64(2, -Infinity))],
    { attributes: { a: -0, b: NaN, c: -Infinity } },
  ],
  // map entries
  ['an entry without key has key ""', ld(7, ld(2, vint(1, 1))), { attributes: { '': true } }],
  ['an entry without value has value undefined', ld(7, str(1, 'k')), { attributes: { k: undefined } }],
  ['an empty entry', ld(7), { attributes: { '': undefined } }],
  ['a value with no kind set', entry('k'), { attributes: { k: undefined } }],
  ['value before key in an entry', ld(7, ld(2, f64(2, 1.5)), str(1, 'k')), { attributes: { k: 1.5 } }],
  [
    'duplicate keys: last value wins, first position kept',
    [...entry('b', vint(1, 1)), ...entry('a', vint(1, 0)), ...entry('b', str(3, 'last'))],
    { attributes: { b: 'last', a: false } },
  ],
  [
    'integer-like keys come first, ascending',
    [...entry('z', vint(1, 1)), ...entry('10', vint(1, 1)), ...entry('2', vint(1, 1)), ...entry('01', vint(1, 1))],
    { attributes: { '2': true, '10': true, z: true, '01': true } },
  ],
  [
    'unknown fields in an entry are dropped',
    ld(7, str(1, 'k'), vint(3, 5), group(4), ld(2, vint(1, 1))),
    { attributes: { k: true }, unknownFields: undefined },
  ],
  [
    'a repeated key field in an entry: last one wins',
    ld(7, str(1, 'a'), str(1, 'b'), ld(2, vint(1, 1))),
    { attributes: { b: true } },
  ],
  [
    'a later duplicate key drops the earlier unknown fields',
    [...entry('a', vint(1, 1), vint(9, 0)), ...entry('a', vint(1, 0))],
    { attributes: { a: false }, unknownFields: undefined },
  ],
  [
    'attribute unknown fields follow the map key order',
    [...entry('a', vint(1, 1)), ...entry('b', vint(5, 0)), ...entry('a', vint(6, 0)), ...entry('7', vint(8, 0))],
    { unknownFields: ['attributes.7.#8', 'attributes.a.#6', 'attributes.b.#5'] },
  ],
  [
    'key "__proto__" is dropped and changes no prototype',
    [...entry('__proto__', str(3, 'x')), ...entry('k', vint(1, 1))],
    { attributes: { k: true } },
  ],
  [
    'unknown fields of a "__proto__" value keep their place',
    [
      ...entry('a', vint(7, 0)),
      ...entry('__proto__', vint(1, 1), vint(4, 0)),
      ...entry('0', vint(5, 0)),
      ...entry('b', vint(6, 0)),
    ],
    { unknownFields: ['attributes.0.#5', 'attributes.a.#7', 'attributes.__proto__.#4', 'attributes.b.#6'] },
  ],
  [
    '"__proto__" keeps its first place when a later value of it has unknown fields',
    [...entry('__proto__', vint(1, 1)), ...entry('b', vint(5, 0)), ...entry('__proto__', vint(4, 0))],
    { attributes: { b: undefined }, unknownFields: ['attributes.__proto__.#4', 'attributes.b.#5'] },
  ],
  [
    'Object.prototype names are ordinary keys',
    [...entry('constructor', vint(1, 1)), ...entry('toString', str(3, 's'))],
    { attributes: { constructor: true, toString: 's' } },
  ],
  // unknown fields and skipping
  [
    'unknown fields in protobuf-es order: event, profile, event_time, attributes',
    [...entry('k', vint(4, 1)), ...ld(4, vint(3, 1)), ...ld(8, vint(3, 1)), ...vint(20, 1), ...vint(9, 1)],
    { unknownFields: ['#20', '#9', 'profile.#3', 'event_time.#3', 'attributes.k.#4'] },
  ],
  [
    'every wire type is skipped',
    [
      ...vint(9, 1),
      ...tag(10, 1),
      ...float64(1),
      ...tag(11, 5),
      1,
      2,
      3,
      4,
      ...str(12, 'x'),
      ...group(13, vint(1, 1), group(2, str(3, 'y'))),
    ],
    { unknownFields: ['#9', '#10', '#11', '#12', '#13'] },
  ],
  [
    'a skipped varint may be longer than 10 bytes',
    [...tag(9, 0), ...longVarint(1, 15), ...str(1, 'a')],
    { eventId: 'a', unknownFields: ['#9'] },
  ],
  ['the largest field number', vint(2 ** 29 - 1, 1), { unknownFields: [`#${2 ** 29 - 1}`] }],
  ['99 nested groups fit the recursion budget', nestedGroups(9, 99), { unknownFields: ['#9'] }],
  ['100 nested groups exceed it', nestedGroups(9, 100), 'maximum recursion depth reached'],
  ['98 nested groups in the profile fit', ld(8, nestedGroups(9, 98)), { unknownFields: ['profile.#9'] }],
  ['99 nested groups in the profile exceed it', ld(8, nestedGroups(9, 99)), 'maximum recursion depth reached'],
  ['99 nested groups in a map entry fit', ld(7, nestedGroups(9, 99)), { attributes: { '': undefined } }],
  ['a group closed by another field number', [...tag(9, 3), ...tag(10, 4)], 'invalid end group tag'],
  ['a stray end-group tag', tag(9, 4), 'cant skip wire type 4'],
  ['an unterminated group', [...tag(9, 3), ...vint(1, 1)], 'premature EOF'],
  // nested lengths and truncation
  [
    'a field may run past its message end',
    [...tag(8, 2), 1, ...tag(1, 2), 1, 0x41, ...str(2, 'x')],
    { profile: { role: 'A', region: undefined }, entityId: 'x' },
  ],
  ['a message length past the buffer', [...tag(8, 2), 5, ...str(1, 'a')], 'premature EOF'],
  ['a string length past the buffer', [...tag(1, 2), 5, 0x41], 'premature EOF'],
  ['a truncated varint', [...tag(5, 0), 0x80], 'premature EOF'],
  ['a truncated tag', [0x80], 'premature EOF'],
  ['a truncated double', entry('k', [...tag(2, 1), 1, 2, 3]), 'Offset is outside the bounds of the DataView'],
  [
    'a double past its entry but within the buffer',
    [...ld(7, ld(2, tag(2, 1))), ...float64(0)],
    { attributes: { '': 0 } },
  ],
  ['a truncated fixed64 unknown field', [...tag(9, 1), 1, 2, 3], 'premature EOF'],
  ['a truncated bool', [...tag(7, 2), 2, ...tag(2, 2), 2, ...tag(1, 0)], 'premature EOF'],
  // malformed varints and tags
  ['an 11-byte varint', [...tag(5, 0), ...longVarint(1, 11)], 'invalid varint'],
  ['an 11-byte int64', ld(4, [...tag(1, 0), ...longVarint(1, 11)]), 'invalid varint'],
  ['an 11-byte bool', entry('k', [...tag(1, 0), ...longVarint(1, 11)]), 'invalid varint'],
  ['a 6-byte tag', longVarint(8 + 2, 6), 'illegal tag: varint overflows uint32'],
  ['a 5-byte tag above 32 bits', [0x8a, 0x80, 0x80, 0x80, 0x10], 'illegal tag: varint overflows uint32'],
  ['field number 0', [...tag(0, 2), 0], 'illegal tag: field no 0 wire type 2'],
  ['wire type 6', tag(1, 6), 'illegal tag: field no 1 wire type 6'],
  ['wire type 7 in a nested message', ld(4, tag(3, 7)), 'illegal tag: field no 3 wire type 7'],
  // strings: strict UTF-8, BOM kept
  ['non-ASCII text', str(1, 'naïve ✓ 😀'), { eventId: 'naïve ✓ 😀' }],
  ['a long ASCII string', str(1, 'x'.repeat(300)), { eventId: 'x'.repeat(300) }],
  ['a leading BOM is kept', ld(1, [0xef, 0xbb, 0xbf, 0x41]), { eventId: '\ufeffA' }],
  ['invalid UTF-8 throws', ld(1, [0x41, 0xff]), INVALID_UTF8],
  [
    'invalid UTF-8 in a long string throws',
    ld(1, [...'x'.repeat(40)].map((ch) => ch.charCodeAt(0)).concat([0xc3])),
    INVALID_UTF8,
  ],
  ['an encoded surrogate throws', ld(3, [0xed, 0xa0, 0x80]), INVALID_UTF8],
  ['an overlong encoding throws', ld(2, [0xc0, 0x80]), INVALID_UTF8],
  ['invalid UTF-8 in a map key throws', ld(7, ld(1, [0xff])), INVALID_UTF8],
  ['invalid UTF-8 in a profile role throws', ld(8, ld(1, [0xfe])), INVALID_UTF8],
  ['invalid UTF-8 in an overwritten string still throws', [...ld(1, [0xff]), ...str(1, 'ok')], INVALID_UTF8],
];

describe('readEngagementEventCandidate: known cases, each against protobuf-es + protoToCandidate', () => {
  it.each(known)('%s', (_label, wire, expected) => {
    const bytes = Uint8Array.from(wire);
    expect(outcome(() => readEngagementEventCandidate(bytes))).toBe(outcome(() => reference(bytes)));
    if (typeof expected === 'string') {
      expect(() => readEngagementEventCandidate(bytes)).toThrow(expected);
      return;
    }
    const candidate = readEngagementEventCandidate(bytes);
    // unknownFields is left out when there are none; `unknownFields: undefined` in a case says so.
    expect({ unknownFields: undefined, ...candidate }).toMatchObject(expected);
    if (expected.attributes !== undefined) {
      expect(Object.keys(candidate.attributes as object)).toEqual(Object.keys(expected.attributes as object));
    }
    expect(Object.getPrototypeOf(candidate.attributes)).toBe(Object.prototype);
  });

  it('reads a Node Buffer and a view into a larger buffer', () => {
    const wire = [0xff, ...str(1, 'ev-1'), ...vint(5, 2), 0xff];
    const view = new Uint8Array(Uint8Array.from(wire).buffer, 1, wire.length - 2);
    expect(readEngagementEventCandidate(view)).toMatchObject({ eventId: 'ev-1', channel: 2 });
    expect(readEngagementEventCandidate(Buffer.from(view))).toMatchObject({ eventId: 'ev-1', channel: 2 });
  });

  it('rejects a non-Uint8Array with a TypeError', () => {
    expect(() => readEngagementEventCandidate('0a00' as unknown as Uint8Array)).toThrow(
      new TypeError('bytes must be a Uint8Array, got string'),
    );
  });
});

// ---- property tests ----

/** The workspace's seeded PRNG, with the draws these properties use: every run tests the same inputs. */
class Rng {
  private readonly prng: Prng;
  constructor(seed: number) {
    this.prng = new Prng(seed);
  }
  float(): number {
    return this.prng.next();
  }
  int(n: number): number {
    return this.prng.nextInt(n);
  }
  chance(p: number): boolean {
    return this.prng.bernoulli(p);
  }
  pick<T>(items: readonly T[]): T {
    return this.prng.pick(items);
  }
  uint32(): number {
    return this.prng.nextUint32();
  }
  int64(): bigint {
    return BigInt.asIntN(64, (BigInt(this.uint32()) << 32n) | BigInt(this.uint32()));
  }
}

const NOW = Date.UTC(2024, 4, 1, 12);
const opts = { nowMs: NOW };
const SPECIAL_KEYS = [
  '',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '0',
  '7',
  '10',
  '01',
  '-1',
  '1.5',
  '4294967294',
  '4294967295',
];
const CATALOG_WORDS = [
  ...catalog.eventTypeNames,
  'is_correct',
  'time_taken_seconds',
  'completion_percentage',
  'difficulty',
  'beginner',
  'advanced',
];
const TEXTS = [
  'ev-1',
  'learner-42',
  'lesson-7',
  'nurse',
  'emea',
  'x'.repeat(33),
  'y'.repeat(257),
  'é',
  'naïve ✓',
  '😀',
  '\ufeffbom',
  '\u0000nul',
];

function randomText(r: Rng): string {
  const kind = r.int(4);
  if (kind === 0) return r.pick(SPECIAL_KEYS);
  if (kind === 1) return r.pick(CATALOG_WORDS);
  if (kind === 2) return r.pick(TEXTS);
  let text = '';
  for (let n = r.int(40); n > 0; n--) {
    const range = r.int(4);
    // Code points from every UTF-8 length, no surrogates (toBinary would refuse a lone one).
    text += String.fromCodePoint(
      range === 0
        ? r.int(0x80)
        : range === 1
          ? 0x80 + r.int(0x780)
          : range === 2
            ? 0xe000 + r.int(0x2000)
            : 0x10000 + r.int(0x100000),
    );
  }
  return text;
}

/** A well-formed unknown field (toBinary writes $unknown back verbatim). */
function randomUnknown(r: Rng, known: number): UnknownField {
  const no = known + 1 + r.int(r.chance(0.9) ? 20 : 2 ** 29 - known - 1);
  switch (r.int(5)) {
    case 0:
      return { no, wireType: WireType.Varint, data: Uint8Array.from(longVarint(r.uint32(), 1 + r.int(12))) };
    case 1:
      return { no, wireType: WireType.Bit64, data: Uint8Array.from(float64(r.float())) };
    case 2:
      return { no, wireType: WireType.Bit32, data: Uint8Array.from([r.int(256), r.int(256), r.int(256), r.int(256)]) };
    case 3:
      return { no, wireType: WireType.LengthDelimited, data: Uint8Array.from(str(1, randomText(r)).slice(1)) };
    default:
      return {
        no,
        wireType: WireType.StartGroup,
        data: Uint8Array.from([...vint(1, r.uint32()), ...group(2, str(3, 'g')), ...tag(no, 4)]),
      };
  }
}

function withUnknown<T extends { $unknown?: UnknownField[] }>(r: Rng, message: T, known: number): T {
  if (r.chance(0.15)) message.$unknown = Array.from({ length: 1 + r.int(3) }, () => randomUnknown(r, known));
  return message;
}

function randomAttributeValue(r: Rng): AttributeValue {
  const kind = r.int(7);
  const value =
    kind === 0
      ? create(AttributeValueSchema)
      : kind <= 2
        ? create(AttributeValueSchema, { kind: { case: 'boolValue', value: r.chance(0.5) } })
        : kind <= 4
          ? create(AttributeValueSchema, {
              kind: {
                case: 'numberValue',
                value: r.pick([0, -0, 1.5, 42, -3, 100.5, NaN, Infinity, r.float() * 200 - 50]),
              },
            })
          : create(AttributeValueSchema, { kind: { case: 'stringValue', value: randomText(r) } });
  return withUnknown(r, value, 3);
}

/** A realistic event from the catalog most of the time (so verdicts include ok), anything else otherwise. */
function randomEventBytes(r: Rng): Uint8Array {
  const realistic = r.chance(0.5);
  const eventType = realistic || r.chance(0.3) ? r.pick(catalog.eventTypeNames) : randomText(r);
  const timeMs = NOW - r.int(30 * 86_400_000) + (r.chance(0.1) ? 10 * 60_000 : 0);
  const message = create(EngagementEventSchema, {
    eventId: realistic ? `ev-${r.uint32()}` : randomText(r),
    entityId: realistic ? `learner-${r.int(500)}` : randomText(r),
    eventType,
    eventTime: r.chance(0.05)
      ? undefined
      : withUnknown(
          r,
          realistic || r.chance(0.5)
            ? create(TimestampSchema, {
                seconds: BigInt(Math.floor(timeMs / 1000)),
                nanos: (timeMs % 1000) * 1e6 + r.int(1e6),
              })
            : create(TimestampSchema, {
                seconds: r.chance(0.5) ? r.int64() : BigInt(r.int(2 ** 40)) - 2n ** 39n,
                nanos: r.chance(0.5) ? r.uint32() | 0 : r.int(1e9),
              }),
          2,
        ),
    channel: realistic ? 1 + r.int(4) : r.chance(0.5) ? r.int(6) : r.uint32() | 0,
    contentId: r.chance(0.3) ? undefined : realistic ? `lesson-${r.int(50)}` : randomText(r),
    profile: r.chance(0.3)
      ? undefined
      : withUnknown(
          r,
          create(ProfileSchema, {
            role: r.chance(0.7) ? randomText(r) : undefined,
            region: r.chance(0.7) ? randomText(r) : undefined,
          }),
          2,
        ),
  });
  const specs = catalog.get(eventType)?.attributes ?? [];
  if (realistic) {
    for (const spec of specs) {
      if (r.chance(0.1)) continue;
      const value =
        spec.type === 'boolean'
          ? { case: 'boolValue' as const, value: r.chance(0.5) }
          : spec.type === 'number'
            ? { case: 'numberValue' as const, value: r.int(120) }
            : {
                case: 'stringValue' as const,
                value: spec.type === 'enum' ? r.pick([...spec.values, 'expert']) : randomText(r),
              };
      message.attributes[spec.name] = r.chance(0.05)
        ? randomAttributeValue(r)
        : create(AttributeValueSchema, { kind: value });
    }
  } else {
    for (let n = r.int(6); n > 0; n--) {
      const key = r.chance(0.5) ? r.pick(SPECIAL_KEYS) : randomText(r);
      // As protobuf-es's own reader stores it: "__proto__" must be an own key, not the prototype.
      Object.defineProperty(message.attributes, key, {
        value: randomAttributeValue(r),
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }
  return toBinary(EngagementEventSchema, withUnknown(r, message, 8));
}

const INVALID_UTF8_SEQUENCES: Bytes[] = [
  [0xff],
  [0xc3],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
];

/** Raw text bytes: mostly valid UTF-8, sometimes not. */
function randomTextBytes(r: Rng): number[] {
  const bytes = [...textEncoder.encode(randomText(r))];
  if (r.chance(0.05)) bytes.splice(r.int(bytes.length + 1), 0, ...r.pick(INVALID_UTF8_SEQUENCES));
  return bytes;
}

function randomVarintBytes(r: Rng, value: number | bigint): number[] {
  if (r.chance(0.9)) return varint(value);
  return longVarint(value, Math.max(varint(value).length, 1 + r.int(r.chance(0.9) ? 10 : 12)));
}

type Shape = 'event' | 'timestamp' | 'profile' | 'value' | 'entry' | 'any';
const KNOWN_FIELDS: Record<Shape, number> = { event: 8, timestamp: 2, profile: 2, value: 3, entry: 2, any: 0 };

/** The payload of a known field as its declared type, or undefined for an unknown field. */
function knownPayload(
  r: Rng,
  shape: Shape,
  no: number,
  depth: number,
): { wireType: number; payload: number[] } | undefined {
  const text = () => ({ wireType: 2, payload: ((b) => [...varint(b.length), ...b])(randomTextBytes(r)) });
  const message = (inner: Shape) => ({
    wireType: 2,
    payload: ((b) => [...randomVarintBytes(r, b.length), ...b])(randomFields(r, inner, depth + 1)),
  });
  const number = (value: number | bigint) => ({ wireType: 0, payload: randomVarintBytes(r, value) });
  switch (shape) {
    case 'event':
      return no === 4
        ? message('timestamp')
        : no === 5
          ? number(r.chance(0.8) ? r.int(6) : r.uint32() | 0)
          : no === 7
            ? message('entry')
            : no === 8
              ? message('profile')
              : text();
    case 'timestamp':
      return no === 1
        ? number(r.chance(0.5) ? r.int64() : BigInt(1714564800 + r.int(1000)))
        : number(r.chance(0.7) ? r.int(1e9) : r.uint32() | 0);
    case 'profile':
      return text();
    case 'value':
      return no === 1
        ? number(r.chance(0.8) ? r.int(2) : r.int64())
        : no === 2
          ? { wireType: 1, payload: float64(r.pick([0, -0, 1.5, NaN, r.float()])) }
          : text();
    case 'entry':
      return no === 1 ? text() : message('value');
    default:
      return undefined;
  }
}

/** Hand-built fields of one message: known fields (sometimes mis-tagged), unknown fields of every wire type, groups. */
function randomFields(r: Rng, shape: Shape, depth: number): number[] {
  const out: number[] = [];
  for (let n = r.int(depth === 0 ? 9 : 5); n > 0; n--) {
    const known = KNOWN_FIELDS[shape];
    const no =
      known > 0 && r.chance(0.8)
        ? 1 + r.int(known)
        : known + 1 + (r.chance(0.95) ? r.int(12) : r.int(2 ** 29 - known - 1));
    const field = no <= known ? knownPayload(r, shape, no, depth) : undefined;
    if (field !== undefined) {
      out.push(...tag(no, r.chance(0.05) ? r.int(6) : field.wireType), ...field.payload);
      continue;
    }
    switch (depth > 3 ? r.int(4) : r.int(5)) {
      case 0:
        out.push(...tag(no, 0), ...longVarint(r.uint32(), 1 + r.int(14)));
        break;
      case 1:
        out.push(...tag(no, 1), ...float64(r.float()));
        break;
      case 2:
        out.push(...tag(no, 5), r.int(256), r.int(256), r.int(256), r.int(256));
        break;
      case 3:
        out.push(...ld(no, randomTextBytes(r)));
        break;
      default:
        out.push(...tag(no, 3), ...randomFields(r, 'any', depth + 1), ...tag(r.chance(0.97) ? no : no + 1, 4));
    }
  }
  return out;
}

const SPECIAL_BYTES = [
  0x00, 0x01, 0x02, 0x07, 0x08, 0x0a, 0x0b, 0x0c, 0x0f, 0x10, 0x12, 0x1a, 0x22, 0x23, 0x28, 0x32, 0x3a, 0x42, 0x7f,
  0x80, 0xff,
];

/** Byte-level damage: flips, special bytes, insertions, deletions, truncation, duplication, splices and concatenations (merging). */
function mutate(r: Rng, input: Uint8Array, other: Uint8Array): Uint8Array {
  let bytes = [...input];
  for (let n = 1 + r.int(3); n > 0; n--) {
    const at = r.int(bytes.length + 1);
    switch (r.int(9)) {
      case 0:
        if (bytes.length > 0) bytes[at % bytes.length] ^= 1 << r.int(8);
        break;
      case 1:
        if (bytes.length > 0) bytes[at % bytes.length] = r.pick(SPECIAL_BYTES);
        break;
      case 2:
        bytes.splice(
          at,
          0,
          ...Array.from({ length: 1 + r.int(4) }, () => (r.chance(0.5) ? r.pick(SPECIAL_BYTES) : r.int(256))),
        );
        break;
      case 3:
        bytes.splice(at, 1 + r.int(4));
        break;
      case 4:
        bytes = bytes.slice(0, at);
        break;
      case 5:
        bytes.splice(at, 0, ...bytes.slice(at, at + 1 + r.int(16)));
        break;
      case 6:
        bytes = [...bytes.slice(0, at), ...other.slice(r.int(other.length + 1))];
        break;
      default:
        bytes = [...bytes, ...other];
    }
  }
  return Uint8Array.from(bytes);
}

function corpus(seed: number, size: number): { encoded: Uint8Array[]; mutated: Uint8Array[]; handBuilt: Uint8Array[] } {
  const r = new Rng(seed);
  const encoded = Array.from({ length: size }, () => randomEventBytes(r));
  const mutated = encoded.map((bytes) => mutate(r, bytes, r.pick(encoded)));
  const handBuilt = Array.from({ length: size }, () => Uint8Array.from(randomFields(r, 'event', 0)));
  const mutatedHandBuilt = handBuilt.slice(0, size / 2).map((bytes) => mutate(r, bytes, r.pick(handBuilt)));
  return { encoded, mutated, handBuilt: [...handBuilt, ...mutatedHandBuilt] };
}

function throwShare(inputs: readonly Uint8Array[]): number {
  return inputs.filter((bytes) => outcome(() => reference(bytes)).startsWith('throws')).length / inputs.length;
}

describe('readEngagementEventCandidate: same outcome as protobuf-es + protoToCandidate on generated inputs', () => {
  const { encoded, mutated, handBuilt } = corpus(20240501, 3000);

  it('random EngagementEvent messages encoded by protobuf-es', () => {
    expect(mismatches(encoded).slice(0, 5)).toEqual([]);
    expect(throwShare(encoded)).toBe(0);
  });

  it('mutated, truncated, spliced and concatenated encodings', () => {
    expect(mismatches(mutated).slice(0, 5)).toEqual([]);
    // Both verdicts must be well represented, or the comparison proves little.
    expect(throwShare(mutated)).toBeGreaterThan(0.2);
    expect(throwShare(mutated)).toBeLessThan(0.8);
  });

  it('hand-built wire bytes: mis-tagged and repeated fields, unknown fields, groups, odd varints', () => {
    expect(mismatches(handBuilt).slice(0, 5)).toEqual([]);
    expect(throwShare(handBuilt)).toBeGreaterThan(0.1);
    expect(throwShare(handBuilt)).toBeLessThan(0.9);
  });

  it('decodeEngagementEvent gives the same verdicts as the fromBinary path did', () => {
    const old = (bytes: Uint8Array): EventDecodeResult => {
      let message;
      try {
        message = fromBinary(EngagementEventSchema, bytes);
      } catch (err) {
        return {
          ...rejection('undecodable', `value is not a valid protobuf EngagementEvent: ${(err as Error).message}`),
          format: 'protobuf',
        };
      }
      return { ...validateEventCandidate(protoToCandidate(message), catalog, opts), format: 'protobuf' };
    };
    const inputs = [...encoded, ...mutated, ...handBuilt, ...known.map(([, wire]) => Uint8Array.from(wire))];
    const differing = inputs.filter(
      (bytes) => canon(decodeEngagementEvent(bytes, 'application/x-protobuf', catalog, opts)) !== canon(old(bytes)),
    );
    expect(differing.map(hex).slice(0, 5)).toEqual([]);
    const reasons = new Set(inputs.map((bytes) => old(bytes)).map((v) => (v.ok ? 'ok' : v.rejection.reason)));
    expect([...reasons].sort()).toEqual([
      'future_event_time',
      'invalid_value',
      'missing_field',
      'ok',
      'undecodable',
      'unknown_event_type',
      'unknown_field',
      'wrong_type',
    ]);
  });
});
