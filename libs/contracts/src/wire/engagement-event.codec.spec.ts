import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { LEARNING_ENGAGEMENT_CATALOG as catalog } from '../catalog/learning-engagement.catalog';
import type { EngagementEvent } from '../engagement-event/engagement-event';
import { CHANNELS } from '../engagement-event/engagement-event';
import { AttributeValueSchema, EngagementEventSchema, ProfileSchema } from '../gen/pulse/v1/engagement_event_pb';
import type { EventDecodeResult } from '../validation/event-rejection';
import { decodeEngagementEvent, encodeEngagementEvent, validateEngagementEventJson } from './engagement-event.codec';

const NOW = Date.UTC(2024, 4, 1, 12);
const opts = { nowMs: NOW };
const json = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

/** A loosely typed event in JSON form, mapped to protobuf by the same rules a producer would use. */
type Loose = Record<string, unknown>;
const base: Loose = {
  event_id: 'ev-1',
  entity_id: 'learner-1',
  event_type: 'assessment_answered',
  event_time: NOW - 60_000,
  channel: 'email',
  content_id: 'lesson-7',
  attributes: { is_correct: true, time_taken_seconds: 42 },
  profile: { role: 'nurse', region: 'emea' },
};
const CHANNEL_NUMBER: Record<string, number> = { slack: 1, sms: 2, email: 3, web: 4 };

function looseToProto(o: Loose): Uint8Array {
  const attrs: Record<string, ReturnType<typeof attr>> = {};
  function attr(v: unknown) {
    if (typeof v === 'boolean') return create(AttributeValueSchema, { kind: { case: 'boolValue', value: v } });
    if (typeof v === 'number') return create(AttributeValueSchema, { kind: { case: 'numberValue', value: v } });
    return create(AttributeValueSchema, { kind: { case: 'stringValue', value: v as string } });
  }
  for (const [k, v] of Object.entries((o.attributes ?? {}) as Record<string, unknown>)) attrs[k] = attr(v);
  const profile = o.profile as { role?: string; region?: string } | undefined;
  return toBinary(
    EngagementEventSchema,
    create(EngagementEventSchema, {
      eventId: (o.event_id as string) ?? '',
      entityId: (o.entity_id as string) ?? '',
      eventType: (o.event_type as string) ?? '',
      eventTime: o.event_time === undefined ? undefined : timestampFromMs(o.event_time as number),
      channel: o.channel === undefined ? 0 : CHANNEL_NUMBER[o.channel as string],
      contentId: o.content_id as string | undefined,
      attributes: attrs,
      profile: profile === undefined ? undefined : create(ProfileSchema, profile),
    }),
  );
}

function without(o: Loose, key: string): Loose {
  const copy = { ...o };
  delete copy[key];
  return copy;
}

const verdict = (r: EventDecodeResult) => (r.ok ? 'ok' : `${r.rejection.reason} ${r.rejection.field ?? ''}`.trim());

describe('decodeEngagementEvent: the same verdict for JSON and protobuf', () => {
  const cases: Array<[string, Loose, string]> = [
    ['a valid event', base, 'ok'],
    ['no event_id', without(base, 'event_id'), 'missing_field event_id'],
    ['an empty entity_id', { ...base, entity_id: '' }, 'missing_field entity_id'],
    ['no event_type', without(base, 'event_type'), 'missing_field event_type'],
    ['an over-long event_id', { ...base, event_id: 'x'.repeat(257) }, 'invalid_value event_id'],
    ['an unknown event type', { ...base, event_type: 'lesson_exploded' }, 'unknown_event_type event_type'],
    ['no event_time', without(base, 'event_time'), 'missing_field event_time'],
    ['event_time 10 minutes ahead', { ...base, event_time: NOW + 600_000 }, 'future_event_time event_time'],
    ['event_time 4 minutes ahead (within skew)', { ...base, event_time: NOW + 240_000 }, 'ok'],
    ['no channel', without(base, 'channel'), 'missing_field channel'],
    ['no content_id (optional)', without(base, 'content_id'), 'ok'],
    ['no profile (optional)', without(base, 'profile'), 'ok'],
    ['an over-long profile role', { ...base, profile: { role: 'r'.repeat(300) } }, 'invalid_value profile.role'],
    [
      'a required attribute missing',
      { ...base, attributes: { time_taken_seconds: 3 } },
      'missing_field attributes.is_correct',
    ],
    [
      'a string where a boolean is declared',
      { ...base, attributes: { is_correct: 'yes', time_taken_seconds: 3 } },
      'wrong_type attributes.is_correct',
    ],
    [
      'a string where a number is declared',
      { ...base, attributes: { is_correct: true, time_taken_seconds: '3' } },
      'wrong_type attributes.time_taken_seconds',
    ],
    [
      'a negative time taken',
      { ...base, attributes: { is_correct: true, time_taken_seconds: -1 } },
      'invalid_value attributes.time_taken_seconds',
    ],
    [
      'an undeclared attribute',
      { ...base, attributes: { is_correct: true, time_taken_seconds: 3, mood: 'happy' } },
      'unknown_field attributes.mood',
    ],
    [
      'an attribute on an attribute-less type',
      { ...base, event_type: 'lesson_sent', attributes: { foo: 1 } },
      'unknown_field attributes.foo',
    ],
    [
      'completion above 100',
      { ...base, event_type: 'path_progress', attributes: { completion_percentage: 100.5, difficulty: 'advanced' } },
      'invalid_value attributes.completion_percentage',
    ],
    [
      'a difficulty outside the enum',
      { ...base, event_type: 'path_progress', attributes: { completion_percentage: 50, difficulty: 'expert' } },
      'invalid_value attributes.difficulty',
    ],
    [
      'path_progress without difficulty',
      { ...base, event_type: 'path_progress', attributes: { completion_percentage: 50 } },
      'missing_field attributes.difficulty',
    ],
  ];

  it.each(cases)('%s', (_label, loose, expected) => {
    const fromJson = decodeEngagementEvent(json(loose), 'application/json', catalog, opts);
    const fromProto = decodeEngagementEvent(looseToProto(loose), 'application/x-protobuf', catalog, opts);
    expect(verdict(fromJson)).toBe(expected);
    expect(verdict(fromProto)).toBe(expected);
    expect(fromProto.ok ? fromProto.event : fromProto.rejection).toEqual(
      fromJson.ok ? fromJson.event : fromJson.rejection,
    );
  });

  it('names the field and the expectation in the message', () => {
    const r = decodeEngagementEvent(
      json({ ...base, attributes: { is_correct: 'yes', time_taken_seconds: 3 } }),
      'application/json',
      catalog,
      opts,
    );
    expect(r.ok ? '' : r.rejection.message).toBe('attributes.is_correct must be a boolean, got string');
  });
});

describe('decodeEngagementEvent: JSON specifics', () => {
  const cases: Array<[string, unknown, string]> = [
    ['an ISO event_time', { ...base, event_time: '2024-05-01T11:59:00.123Z' }, 'ok'],
    ['an ISO event_time with an offset', { ...base, event_time: '2024-05-01T13:59:00+02:00' }, 'ok'],
    ['an ISO event_time without a zone', { ...base, event_time: '2024-05-01T11:59:00' }, 'invalid_value event_time'],
    ['a non-existent date', { ...base, event_time: '2024-02-30T00:00:00Z' }, 'invalid_value event_time'],
    ['a free-text event_time', { ...base, event_time: 'yesterday' }, 'invalid_value event_time'],
    ['fractional epoch ms', { ...base, event_time: 1.5 }, 'invalid_value event_time'],
    ['a negative epoch ms', { ...base, event_time: -1 }, 'invalid_value event_time'],
    ['a boolean event_time', { ...base, event_time: true }, 'wrong_type event_time'],
    ['a numeric entity_id', { ...base, entity_id: 42 }, 'wrong_type entity_id'],
    ['a lone surrogate in entity_id', { ...base, entity_id: 'learner-\ud800' }, 'invalid_value entity_id'],
    ['a lone surrogate in event_id', { ...base, event_id: '\udc00-1' }, 'invalid_value event_id'],
    ['a NUL in entity_id', { ...base, entity_id: 'learner-\u0000' }, 'invalid_value entity_id'],
    ['a NUL in event_id', { ...base, event_id: 'ev\u00001' }, 'invalid_value event_id'],
    ['a NUL in content_id', { ...base, content_id: 'a\u0000b' }, 'invalid_value content_id'],
    ['a NUL in a profile string', { ...base, profile: { region: 'e\u0000u' } }, 'invalid_value profile.region'],
    ['an unknown channel', { ...base, channel: 'fax' }, 'invalid_value channel'],
    ['an upper-case proto channel name', { ...base, channel: 'CHANNEL_SMS' }, 'ok'],
    ['a proto enum number channel', { ...base, channel: 2 }, 'ok'],
    ['an out-of-range enum number channel', { ...base, channel: 9 }, 'invalid_value channel'],
    ['a boolean channel', { ...base, channel: true }, 'wrong_type channel'],
    [
      'a misspelt top-level field',
      { ...without(base, 'event_type'), evnt_type: 'lesson_sent' },
      'unknown_field evnt_type',
    ],
    ['both spellings of a field', { ...base, eventId: 'ev-2' }, 'invalid_value event_id'],
    ['an unknown profile key', { ...base, profile: { age: 40 } }, 'unknown_field profile.age'],
    ['a numeric profile region', { ...base, profile: { region: 7 } }, 'wrong_type profile.region'],
    ['a string profile', { ...base, profile: 'nurse' }, 'wrong_type profile'],
    ['attributes as an array', { ...base, attributes: [true, 3] }, 'wrong_type attributes'],
    [
      'a null undeclared attribute (still unknown)',
      { ...base, event_type: 'lesson_sent', attributes: { foo: null } },
      'unknown_field attributes.foo',
    ],
    ['a JSON array instead of an object', [base], 'wrong_type'],
  ];
  it.each(cases)('%s', (_label, obj, expected) => {
    expect(verdict(decodeEngagementEvent(json(obj), 'application/json', catalog, opts))).toBe(expected);
    expect(verdict({ ...validateEngagementEventJson(obj, catalog, opts), format: 'json' })).toBe(expected);
  });

  it('accepts proto-JSON camelCase names and wrapped attribute values', () => {
    const camel = {
      eventId: 'ev-1',
      entityId: 'learner-1',
      eventType: 'assessment_answered',
      eventTime: '2024-05-01T11:59:00Z',
      channel: 'CHANNEL_EMAIL',
      contentId: 'lesson-7',
      attributes: { is_correct: { boolValue: true }, time_taken_seconds: { numberValue: 42 } },
    };
    const r = validateEngagementEventJson(camel, catalog, opts);
    expect(r).toEqual({
      ok: true,
      event: {
        eventId: 'ev-1',
        entityId: 'learner-1',
        eventType: 'assessment_answered',
        eventTimeMs: Date.UTC(2024, 4, 1, 11, 59),
        channel: 'email',
        contentId: 'lesson-7',
        attributes: { is_correct: true, time_taken_seconds: 42 },
      },
    });
  });

  it('rejects bytes that are not JSON or not UTF-8 as undecodable', () => {
    expect(
      verdict(decodeEngagementEvent(new TextEncoder().encode('{"event_id": '), 'application/json', catalog, opts)),
    ).toBe('undecodable');
    expect(verdict(decodeEngagementEvent(new Uint8Array([0x7b, 0xff, 0x7d]), 'application/json', catalog, opts))).toBe(
      'undecodable',
    );
  });
});

describe('decodeEngagementEvent: protobuf specifics', () => {
  const msg = (patch: Record<string, unknown>) =>
    toBinary(
      EngagementEventSchema,
      create(EngagementEventSchema, {
        eventId: 'e',
        entityId: 'l',
        eventType: 'lesson_sent',
        eventTime: timestampFromMs(NOW),
        channel: 4,
        ...patch,
      }),
    );

  it('accepts a minimal event', () =>
    expect(verdict(decodeEngagementEvent(msg({}), 'application/protobuf', catalog, opts))).toBe('ok'));
  it('rejects an unknown channel enum number', () =>
    expect(verdict(decodeEngagementEvent(msg({ channel: 9 }), 'application/x-protobuf', catalog, opts))).toBe(
      'invalid_value channel',
    ));
  it('rejects a malformed Timestamp', () => {
    const bytes = msg({ eventTime: { $typeName: 'google.protobuf.Timestamp', seconds: 1n, nanos: -5 } });
    expect(verdict(decodeEngagementEvent(bytes, 'application/x-protobuf', catalog, opts))).toBe(
      'invalid_value event_time',
    );
  });
  it('rejects a NaN number attribute', () => {
    const bytes = msg({
      eventType: 'assessment_answered',
      attributes: {
        is_correct: create(AttributeValueSchema, { kind: { case: 'boolValue', value: false } }),
        time_taken_seconds: create(AttributeValueSchema, { kind: { case: 'numberValue', value: NaN } }),
      },
    });
    expect(verdict(decodeEngagementEvent(bytes, 'application/x-protobuf', catalog, opts))).toBe(
      'invalid_value attributes.time_taken_seconds',
    );
  });
  it('treats an attribute value with no kind set as absent', () => {
    const bytes = msg({
      eventType: 'assessment_answered',
      attributes: { is_correct: create(AttributeValueSchema, {}) },
    });
    expect(verdict(decodeEngagementEvent(bytes, 'application/x-protobuf', catalog, opts))).toBe(
      'missing_field attributes.is_correct',
    );
  });
  it('rejects a field number the contract does not have', () => {
    const extra = new Uint8Array([...msg({}), 0xa0, 0x01, 0x01]); // field 20, varint 1
    expect(verdict(decodeEngagementEvent(extra, 'application/x-protobuf', catalog, opts))).toBe('unknown_field #20');
  });
  it('rejects truncated bytes as undecodable', () => {
    expect(
      verdict(decodeEngagementEvent(new Uint8Array([0x0a, 0x20, 0x41]), 'application/x-protobuf', catalog, opts)),
    ).toBe('undecodable');
  });
  it('reads empty bytes as an event with every field missing', () => {
    expect(verdict(decodeEngagementEvent(new Uint8Array(), 'application/x-protobuf', catalog, opts))).toBe(
      'missing_field event_id',
    );
  });
});

describe('content type', () => {
  const event: EngagementEvent = {
    eventId: 'e',
    entityId: 'l',
    eventType: 'lesson_sent',
    eventTimeMs: NOW,
    channel: 'web',
    attributes: {},
  };
  const pb = encodeEngagementEvent(event, 'protobuf');
  const js = encodeEngagementEvent(event, 'json');

  it('labels encodings', () =>
    expect([pb.contentType, js.contentType]).toEqual(['application/x-protobuf', 'application/json']));
  it('sniffs JSON and protobuf when the header is absent', () => {
    expect(decodeEngagementEvent(js.bytes, undefined, catalog, opts)).toMatchObject({ ok: true, format: 'json' });
    expect(decodeEngagementEvent(pb.bytes, '', catalog, opts)).toMatchObject({ ok: true, format: 'protobuf' });
  });
  it('ignores parameters and case', () => {
    expect(decodeEngagementEvent(js.bytes, 'Application/JSON; charset=utf-8', catalog, opts)).toMatchObject({
      ok: true,
      format: 'json',
    });
  });
  it('lets the header win over sniffing', () => {
    expect(decodeEngagementEvent(js.bytes, 'application/x-protobuf', catalog, opts)).toMatchObject({
      ok: false,
      format: 'protobuf',
      rejection: { reason: 'undecodable' },
    });
  });
  it('rejects an unsupported content type as undecodable, naming it', () => {
    const r = decodeEngagementEvent(js.bytes, 'text/csv', catalog, opts);
    expect(r.ok ? '' : r.rejection.message).toContain("unsupported content type 'text/csv'");
  });
});

describe('round trips', () => {
  const id = fc.string({ minLength: 1, maxLength: 40 });
  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const attributes = fc.oneof(
    fc.constant({ eventType: 'lesson_sent', attributes: {} }),
    fc
      .record({
        is_correct: fc.boolean(),
        time_taken_seconds: fc.double({ min: 0, max: 1e6, noNaN: true }).map((v) => v + 0),
      })
      .map((a) => ({
        eventType: 'assessment_answered',
        attributes: a,
      })),
    fc
      .record({
        completion_percentage: fc.double({ min: 0, max: 100, noNaN: true }).map((v) => v + 0),
        difficulty: fc.constantFrom('beginner', 'intermediate', 'advanced'),
      })
      .map((a) => ({ eventType: 'path_progress', attributes: a })),
  );
  const events: fc.Arbitrary<EngagementEvent> = fc
    .record({
      eventId: id,
      entityId: id,
      eventTimeMs: fc.integer({ min: 0, max: NOW }),
      channel: fc.constantFrom(...CHANNELS),
      contentId: optional(id),
      typed: attributes,
      profile: optional(fc.record({ role: id, region: id })),
    })
    .map(({ typed, contentId, profile, ...rest }) => ({
      ...rest,
      ...typed,
      ...(contentId === undefined ? {} : { contentId }),
      ...(profile === undefined ? {} : { profile }),
    }));

  it.each(['protobuf', 'json'] as const)('decode(encode(e, %s)) equals e for generated valid events', (format) => {
    fc.assert(
      fc.property(events, (event) => {
        const { bytes, contentType } = encodeEngagementEvent(event, format);
        expect(decodeEngagementEvent(bytes, contentType, catalog, opts)).toEqual({ ok: true, event, format });
      }),
      { numRuns: 300 },
    );
  });
});
