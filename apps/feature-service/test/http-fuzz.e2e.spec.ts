import { MAX_ID_LENGTH } from '@pulse/contracts';
import { waitFor } from '@pulse/testing';
import fc from 'fast-check';
import { MAX_AT_MS, MIN_AT_EPOCH_MS } from '@pulse/features';
import { FeatureServiceHarness, getJson, postJson, rawRequest, type RawAnswer } from './feature-service.harness';

// Requests of every shape against a running service: whatever comes in, the answer is never a 5xx, a
// refusal names what was wrong (a field, the path or the content-type), and what the oracle below knows
// to be valid or invalid is answered so. Each property stops after its time limit: the suite stays fast.
const TIME_LIMIT_MS = 5_000;
const runs = (numRuns: number) => ({ numRuns, interruptAfterTimeLimit: TIME_LIMIT_MS });
// Longest path segment the router takes (create-app.ts): the longest id, percent-encoded.
const MAX_PARAM_LENGTH = MAX_ID_LENGTH * 9;

const t0 = Date.parse('2026-01-05T09:00:00Z');
const SEEDED_MINUTES = [0, 30, 60, 120];

/** What an answer should be, when the generator knows; a field string or one of several. */
interface Expected {
  readonly status: number;
  readonly field?: string | readonly string[];
}

class Unsound extends Error {}

function check(condition: unknown, message: string, answer: RawAnswer, request: string): asserts condition {
  if (!condition)
    throw new Unsound(`${message}\n  request: ${request}\n  answer: ${answer.status} ${answer.text.slice(0, 400)}`);
}

/**
 * What every answer must be: not a 5xx; a 4xx other than an unrouted 404 is JSON naming the offending
 * field (or, for events, each refused event by index); a 415 names the content types to send.
 */
function expectSound(answer: RawAnswer, request: string, expected?: Expected): any {
  let body: any;
  try {
    body = JSON.parse(answer.text);
  } catch {
    body = undefined;
  }
  check(answer.status < 500, 'a 5xx', answer, request);
  if (answer.status === 415) {
    check(
      body?.field === 'content-type' && Array.isArray(body.expected) && body.expected.includes('application/json'),
      '415 without the expected types',
      answer,
      request,
    );
  } else if (answer.status === 404) {
    check(
      typeof body?.message === 'string' && body.message.startsWith('Cannot '),
      'a 404 other than "no such route"',
      answer,
      request,
    );
  } else if (answer.status >= 400) {
    const perEvent =
      Array.isArray(body?.errors) &&
      body.errors.length > 0 &&
      body.errors.every((e: any) => Number.isInteger(e.index) && typeof e.reason === 'string');
    check(
      (typeof body?.field === 'string' && body.field.length > 0) || perEvent,
      'a refusal that names no field',
      answer,
      request,
    );
  }
  if (expected !== undefined) {
    check(answer.status === expected.status, `expected ${expected.status}`, answer, request);
    const fields =
      expected.field === undefined ? undefined : typeof expected.field === 'string' ? [expected.field] : expected.field;
    if (fields !== undefined)
      check(fields.includes(body?.field), `expected field ${fields.join(' or ')}`, answer, request);
  }
  return body;
}

/** Percent-encoding as a client sends it: UTF-8, and a lone surrogate as its 3 WTF-8 bytes (not UTF-8). */
function percentEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0xd800 || c > 0xdfff) out += encodeURIComponent(ch);
    else
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
  }
  return out;
}

/** Why an id is refused (the field it is refused as), or undefined when it is an id events can have. */
function idDefect(id: unknown): 'bad' | undefined {
  if (
    typeof id !== 'string' ||
    id.length === 0 ||
    id.length > MAX_ID_LENGTH ||
    !id.isWellFormed() ||
    id.includes('\u0000')
  )
    return 'bad';
  return undefined;
}

// ---- generators -------------------------------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const idUnit = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'abcXYZ0129-_.~') },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '\u0000',
      '/',
      '?',
      '#',
      '%',
      '+',
      ' ',
      '&',
      '=',
      ';',
      ',',
      '😀',
      'é',
      '\u202e',
      '\ufeff',
    ),
  },
  { weight: 1, arbitrary: loneSurrogate },
);
const anyId = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: idUnit, minLength: 1, maxLength: 30 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '..',
      '.',
      'a\u0000b',
      '\u0000',
      '\ud800',
      'x\udc00y',
      '😀'.repeat(128),
      '😀'.repeat(129),
      'é'.repeat(256),
      'é'.repeat(257),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: MAX_ID_LENGTH - 2, max: MAX_PARAM_LENGTH + 100 }).map((n) => 'x'.repeat(n)),
  },
);
const goodId = fc.string({ unit: fc.constantFrom(...'abc-_.:/ 9', 'é', '😀', '\u202e'), minLength: 1, maxLength: 40 });
const badId = fc.oneof(
  fc.constantFrom('', 'a\u0000', '\u0000', 'x\ud800', '\udfff', 'x'.repeat(MAX_ID_LENGTH + 1)),
  fc.string({ unit: idUnit, minLength: 1, maxLength: 10 }).map((s) => `${s}\u0000`),
  fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant({}), fc.constant(['a'])),
);

/** A path segment on the wire and what the service should read from it. */
interface Segment {
  readonly wire: string;
  /** The id as decoded, or 'undecodable' when the segment is not percent-encoded UTF-8. */
  readonly id: string | 'undecodable';
}
const segment: fc.Arbitrary<Segment> = fc.oneof(
  {
    weight: 6,
    arbitrary: anyId.map((id) => ({ wire: percentEncode(id), id: id.isWellFormed() ? id : 'undecodable' })),
  },
  // Sent as typed where HTTP allows: dots and the like reach the router unencoded.
  {
    weight: 2,
    arbitrary: anyId.filter((id) => /^[\x21-\x7e]+$/.test(id) && !/[/?#%]/.test(id)).map((id) => ({ wire: id, id })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('%', '%zz', '%C0%AF', '%FF', 'a%E2%82', '%ED%A0%80', '%ED%BF%BF', '%F4%90%80%80')
      .map((wire) => ({ wire, id: 'undecodable' as const })),
  },
);

/** What GET /v1/features/{segment} must answer. */
function expectedForSegment(s: Segment): Expected {
  if (s.wire.length > MAX_PARAM_LENGTH) return { status: 414, field: 'path' };
  if (s.id === 'undecodable') return { status: 400, field: 'path' };
  return idDefect(s.id) ? { status: 400, field: 'entityId' } : { status: 200 };
}

/** An `at` and what it means: an instant (valid), refused, or unknown to the oracle. */
type AtValue =
  { readonly value: unknown; readonly ms: number } | { readonly value: unknown; readonly ms: 'bad' | 'unknown' };

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** An instant named in one of the ways RFC 3339 allows (or epoch ms from 2000 on, as text or number). */
const goodAt: fc.Arbitrary<AtValue & { ms: number }> = fc
  .record({
    ms: fc.oneof(
      fc.integer({ min: 0, max: MAX_AT_MS }),
      fc.integer({ min: t0 - 86_400_000, max: t0 + 3 * 86_400_000 }),
      fc.constantFrom(0, MIN_AT_EPOCH_MS, MAX_AT_MS),
    ),
    offsetMinutes: fc.oneof(fc.constant(0), fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 })),
    zulu: fc.constantFrom('Z', 'z', '+00:00', '-00:00'),
    moreDigits: fc.stringMatching(/^\d{0,6}$/),
    lowerT: fc.boolean(),
    form: fc.constantFrom('rfc3339', 'rfc3339', 'epoch-text', 'epoch-number'),
  })
  .map(({ ms, offsetMinutes, zulu, moreDigits, lowerT, form }) => {
    if (form !== 'rfc3339' && ms >= MIN_AT_EPOCH_MS) return { value: form === 'epoch-text' ? String(ms) : ms, ms };
    let local = new Date(ms + offsetMinutes * 60_000);
    let offset = offsetMinutes;
    if (local.getUTCFullYear() > 9999 || local.getUTCFullYear() < 1) [local, offset] = [new Date(ms), 0];
    const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
    const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
    const millis = local.getUTCMilliseconds();
    const fraction = millis === 0 && moreDigits === '' ? '' : `.${pad(millis, 3)}${moreDigits}`;
    const zone =
      offset === 0
        ? zulu
        : `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
    return { value: `${date}${lowerT ? 't' : 'T'}${time}${fraction}${zone}`, ms };
  });

// Every `at` the outside tester found answered (or failed) wrongly, and more of their kind.
const LISTED_BAD_AT = [
  '8640000000000001',
  '9999999999999999',
  '-1',
  '1.5',
  '1,2',
  '2030',
  '2026-02-30T00:00:00Z',
  '2026-01-01T24:00:00Z',
];
const badAt: fc.Arbitrary<AtValue> = fc
  .oneof(
    fc.constantFrom(
      ...LISTED_BAD_AT,
      'yesterday',
      'now',
      '',
      ' ',
      '2026-01-01',
      '2026-01-01T00:00Z',
      '2026-01-01T00:00:00',
      '2026-01-01 00:00:00Z',
      '2026-01-01T00:00:00+0100',
      '2026-01-01T00:00:00 01:00',
      '1767225600',
      '2026-13-01T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2026-01-01T00:60:00Z',
      '2026-01-01T00:00:60Z',
      '2026-01-01T00:00:00+24:00',
      '2026-01-01T00:00:00.Z',
      '0080-01-01T00:00:00Z',
      '1969-12-31T23:59:59Z',
      '10000-01-01T00:00:00Z',
      '9999-12-31T23:59:59-00:01',
      '2026-01-01T00:00:00Z\u0000',
      '\u0000',
      'Infinity',
      'NaN',
      '0x10',
      '1e12',
      '+1767225600000',
    ),
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: MIN_AT_EPOCH_MS - 1 }).map((n) => (n < 0 ? String(n) : n)),
    fc.integer({ min: MAX_AT_MS + 1, max: Number.MAX_SAFE_INTEGER }),
    fc.bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 1n, max: 10n ** 30n }).map(String),
    fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .filter((d) => !Number.isSafeInteger(d) || d < MIN_AT_EPOCH_MS || d > MAX_AT_MS),
    fc.oneof(fc.boolean(), fc.constant({}), fc.constant([1]), fc.constant([])),
    goodAt.filter((a) => typeof a.value === 'string' && !/^\d+$/.test(a.value)).map((a) => ` ${a.value as string}`),
  )
  .map((value) => ({ value, ms: 'bad' as const }));
const unknownAt: fc.Arbitrary<AtValue> = fc
  .string({ unit: idUnit, maxLength: 30 })
  .map((value) => ({ value, ms: 'unknown' as const }));
const anyAt = fc.oneof(
  { weight: 3, arbitrary: goodAt },
  { weight: 3, arbitrary: badAt },
  { weight: 1, arbitrary: unknownAt },
);

const asQueryValue = (value: unknown) =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'Application/JSON'];
const NON_JSON_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'application/x-protobuf',
  'application/protobuf',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/vnd.api+json',
  'application/jsonx',
  'text/json',
  'json',
  '',
  '*/*',
  'application/*',
  ';',
  'application/json/x',
];
/** A content-type header: JSON, another type, a malformed one, or none. */
const contentType = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...JSON_TYPES).map((value) => ({ value, json: true })) },
  { weight: 2, arbitrary: fc.constantFrom(...NON_JSON_TYPES).map((value) => ({ value, json: false })) },
  {
    weight: 1,
    arbitrary: fc
      .stringMatching(/^[a-z]{1,8}\/[a-z.+-]{1,10}$/)
      .filter((t) => t !== 'application/json')
      .map((value) => ({ value, json: false })),
  },
  { weight: 1, arbitrary: fc.constant({ value: undefined, json: false }) },
);

/** Where to cut a body short, mostly nowhere. */
const cutAt = fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() });

/** A body as sent: the JSON of a value, cut short, or empty. */
function wireBody(value: unknown, cut: number | undefined): { text: string; defect?: 'truncated' | 'empty' } {
  const text = JSON.stringify(value) ?? '';
  if (cut === undefined || text.length === 0) return { text };
  const truncated = text.slice(0, cut % text.length);
  if (truncated.length === 0) return { text: '', defect: 'empty' };
  try {
    JSON.parse(truncated);
    return { text: truncated }; // still JSON (a number cut short): whatever it reads as
  } catch {
    return { text: truncated, defect: 'truncated' };
  }
}

describe('feature-service HTTP API under fuzzing', () => {
  const h = new FeatureServiceHarness();
  let url: string;
  let views: string[];
  const learner = `fuzz-learner-${Date.now()}`;
  const seededTimes = SEEDED_MINUTES.map((m) => t0 + m * 60_000);

  /** The seeded learner's watermark as of `atMs`: its newest event at or before it. */
  const watermarkAt = (atMs: number) => {
    const covered = seededTimes.filter((t) => t <= atMs);
    return covered.length === 0 ? null : new Date(Math.max(...covered)).toISOString();
  };

  beforeAll(async () => {
    await h.setUp();
    url = (await h.start()).url;
    views = (await getJson(`${url}/v1/feature-views`)).body.views.map((v: { name: string }) => v.name);
    const types = ['lesson_sent', 'lesson_started', 'lesson_completed', 'lesson_sent'];
    const events = SEEDED_MINUTES.map((m, i) => ({
      event_id: `fz-seed-${i}`,
      entity_id: learner,
      event_type: types[i],
      event_time: new Date(t0 + m * 60_000).toISOString(),
      channel: 'email',
      content_id: 'lesson-1',
    }));
    expect((await postJson(`${url}/v1/events`, events)).body.accepted).toBe(events.length);
    await waitFor(
      async () => (await getJson(`${url}/v1/features/${learner}?at=${t0 + 86_400_000}`)).body.path === 'online' || null,
      {
        timeoutMs: 20_000,
        message: 'the seeded events folded into the online state',
      },
    );
  });
  afterAll(() => h.tearDown());

  const get = (path: string) => rawRequest(url, { method: 'GET', path });
  const post = (path: string, body: string | undefined, type: string | undefined) =>
    rawRequest(url, { method: 'POST', path, body, headers: type === undefined ? {} : { 'content-type': type } });

  describe('answers each case found by hand as it should', () => {
    const batch = (body: string) => ['POST', '/v1/features/batch', body, 'application/json'] as const;
    it.each<[string, readonly [string, string, string?, string?], Expected]>([
      ['at beyond Date', ['GET', '/v1/features/x?at=8640000000000001'], { status: 400, field: 'at' }],
      ['at beyond year 9999', ['GET', '/v1/features/x?at=9999999999999999'], { status: 400, field: 'at' }],
      [
        'batch at beyond Date, as text',
        batch('{"entityIds":["x"],"at":"8640000000000001"}'),
        { status: 400, field: 'at' },
      ],
      [
        'batch at of 2^63, as a number',
        batch('{"entityIds":["x"],"at":9223372036854775808}'),
        { status: 400, field: 'at' },
      ],
      ['a NUL in the path id', ['GET', '/v1/features/a%00b'], { status: 400, field: 'entityId' }],
      ['a lone surrogate in the path id', ['GET', '/v1/features/a%ED%A0%80b'], { status: 400, field: 'path' }],
      ['at=-1', ['GET', '/v1/features/x?at=-1'], { status: 400, field: 'at' }],
      ['at=1.5', ['GET', '/v1/features/x?at=1.5'], { status: 400, field: 'at' }],
      ['at=1,2', ['GET', '/v1/features/x?at=1,2'], { status: 400, field: 'at' }],
      ['at=2030 (a year, not milliseconds)', ['GET', '/v1/features/x?at=2030'], { status: 400, field: 'at' }],
      ['at=2026-02-30T00:00:00Z', ['GET', '/v1/features/x?at=2026-02-30T00:00:00Z'], { status: 400, field: 'at' }],
      ['at with hour 24', ['GET', '/v1/features/x?at=2026-01-01T24:00:00Z'], { status: 400, field: 'at' }],
      [
        'an id one character too long',
        ['GET', `/v1/features/${'x'.repeat(MAX_ID_LENGTH + 1)}`],
        { status: 400, field: 'entityId' },
      ],
      [
        'the longest id, every character encoded',
        ['GET', `/v1/features/${percentEncode('é'.repeat(MAX_ID_LENGTH))}`],
        { status: 200 },
      ],
      [
        'a path segment longer than any id encoded',
        ['GET', `/v1/features/${'x'.repeat(MAX_PARAM_LENGTH + 1)}`],
        { status: 414, field: 'path' },
      ],
      ['a batch id with a NUL', batch('{"entityIds":["ok","a\\u0000"]}'), { status: 400, field: 'entityIds[1]' }],
      [
        'a batch of an unknown view',
        batch('{"entityIds":["x"],"views":["learner_behaviour","nope"]}'),
        { status: 400, field: 'views[1]' },
      ],
      [
        'a batch of view __proto__',
        batch('{"entityIds":["x"],"views":["__proto__","constructor"]}'),
        { status: 400, field: 'views[0]' },
      ],
      ['a batch body that is an array', batch('[{"entityIds":["x"]}]'), { status: 400, field: 'body' }],
      ['a batch body cut short', batch('{"entityIds":["x"'), { status: 400, field: 'body' }],
      ['an empty batch body', batch(''), { status: 400, field: 'body' }],
      ['a batch body with __proto__', batch('{"__proto__":{"x":1},"entityIds":["x"]}'), { status: 400, field: 'body' }],
      [
        'a batch sent as text/plain',
        ['POST', '/v1/features/batch', '{"entityIds":["x"]}', 'text/plain'],
        { status: 415, field: 'content-type' },
      ],
      [
        'events sent as text/plain',
        ['POST', '/v1/events', '[{"event_id":"e"}]', 'text/plain'],
        { status: 415, field: 'content-type' },
      ],
      [
        'events sent as a form',
        ['POST', '/v1/events', 'a=1', 'application/x-www-form-urlencoded'],
        { status: 415, field: 'content-type' },
      ],
      [
        'events sent as XML',
        ['POST', '/v1/events', '<events/>', 'application/xml'],
        { status: 415, field: 'content-type' },
      ],
      [
        'events sent without a content-type',
        ['POST', '/v1/events', '[{"event_id":"e"}]'],
        { status: 415, field: 'content-type' },
      ],
      [
        'events under a malformed content-type',
        ['POST', '/v1/events', '[{"event_id":"e"}]', 'application/'],
        { status: 415, field: 'content-type' },
      ],
      ['events cut short', ['POST', '/v1/events', '[{"event_id":', 'application/json'], { status: 400, field: 'body' }],
      ['no events', ['POST', '/v1/events', '', 'application/json'], { status: 400, field: 'body' }],
    ])('%s', async (_, [method, path, body, type], expected) => {
      expectSound(
        await rawRequest(url, { method, path, body, headers: type === undefined ? {} : { 'content-type': type } }),
        `${method} ${path} ${type ?? ''} ${body ?? ''}`,
        expected,
      );
    });

    it('a JSON body that is not UTF-8, and any bytes as a JSON body', async () => {
      for (const path of ['/v1/events', '/v1/features/batch']) {
        const bytes = Buffer.from([0x5b, 0x22, 0x00, 0xff, 0xfe, 0x22, 0x5d]);
        expectSound(
          await rawRequest(url, { method: 'POST', path, body: bytes, headers: { 'content-type': 'application/json' } }),
          `POST ${path} invalid UTF-8`,
          { status: 400, field: 'body' },
        );
      }
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('/v1/events', '/v1/features/batch'),
          fc.uint8Array({ maxLength: 200 }),
          async (path, bytes) => {
            const body = Buffer.from(bytes);
            expectSound(
              await rawRequest(url, { method: 'POST', path, body, headers: { 'content-type': 'application/json' } }),
              `POST ${path} bytes ${body.toString('hex')}`,
            );
          },
        ),
        runs(200),
      );
    });

    it("reports an offline answer's watermark as of its time, single and batch", async () => {
      const at = t0 + 45 * 60_000; // between the seeded events at 30 and 60 minutes
      const single = expectSound(await get(`/v1/features/${learner}?at=${at}`), 'GET earlier', { status: 200 });
      expect([single.path, single.watermark]).toEqual(['offline', new Date(t0 + 30 * 60_000).toISOString()]);
      const many = expectSound(
        await post('/v1/features/batch', JSON.stringify({ entityIds: [learner], at }), 'application/json'),
        'POST earlier',
        { status: 200 },
      );
      expect([many.results[0].path, many.results[0].watermark]).toEqual([
        'offline',
        new Date(t0 + 30 * 60_000).toISOString(),
      ]);
    });
  });

  it('GET /v1/features/{id}: any path segment', async () => {
    await fc.assert(
      fc.asyncProperty(segment, async (s) => {
        const request = `GET /v1/features/${s.wire}`;
        const body = expectSound(await get(`/v1/features/${s.wire}`), request, expectedForSegment(s));
        if (body?.entityId !== undefined)
          check(
            body.entityId === s.id,
            'answered for another id',
            { status: 200, headers: {}, text: JSON.stringify(body) },
            request,
          );
      }),
      {
        ...runs(500),
        examples: [
          [{ wire: '..', id: '..' }],
          [{ wire: '%2E%2E', id: '..' }],
          [{ wire: 'a%00b', id: 'a\u0000b' }],
          [{ wire: '%ED%A0%80', id: 'undecodable' }],
        ],
      },
    );
  });

  it('GET /v1/features/{id}: any query string', async () => {
    const garbageKey = fc
      .string({ unit: idUnit, minLength: 1, maxLength: 8 })
      .filter((k) => k !== 'at' && k !== 'view' && k.isWellFormed());
    type Param = { key: string; at: AtValue } | { key: string; view: string } | { key: string; value: string };
    const param: fc.Arbitrary<Param> = fc.oneof(
      { weight: 3, arbitrary: anyAt.map((at) => ({ key: 'at', at })) },
      {
        weight: 3,
        arbitrary: fc
          .oneof(
            fc.constantFrom(
              ...[
                'learner_behaviour',
                'learner_temporal',
                'learner_behaviour,learner_temporal',
                '',
                ',',
                ' learner_content ',
              ],
            ),
            fc.string({ unit: idUnit, maxLength: 12 }),
          )
          .map((view) => ({ key: 'view', view })),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(garbageKey, fc.string({ unit: idUnit, maxLength: 12 }))
          .map(([key, value]) => ({ key, value })),
      },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(param, { maxLength: 4 }), fc.constantFrom(learner, 'nobody'), async (params, id) => {
        const query = params
          .map(
            (p) =>
              `${percentEncode(p.key)}=${percentEncode('at' in p ? asQueryValue(p.at.value) : 'view' in p ? p.view : p.value)}`,
          )
          .join('&');
        const ats = params.flatMap((p) => ('at' in p ? [p.at] : []));
        const named = params.flatMap((p) =>
          'view' in p
            ? p.view
                .split(',')
                .map((v) => v.trim())
                .filter(Boolean)
            : [],
        );
        const atGood = ats.length === 0 || (ats.length === 1 && typeof ats[0].ms === 'number');
        const atBad = ats.length > 1 || (ats.length === 1 && ats[0].ms === 'bad');
        // A lone surrogate is sent as bytes that are not UTF-8: what the view arrives as is not the oracle's to say.
        const viewsKnown = named.every((v) => v.isWellFormed());
        let expected: Expected | undefined;
        if (atBad) expected = { status: 400, field: 'at' };
        else if (atGood && viewsKnown)
          expected = named.every((v) => views.includes(v)) ? { status: 200 } : { status: 400, field: 'view' };
        const request = `GET /v1/features/${id}?${query}`;
        const body = expectSound(await get(`/v1/features/${id}?${query}`), request, expected);
        if (body?.at !== undefined && ats.length === 1 && typeof ats[0].ms === 'number') {
          check(
            body.at === new Date(ats[0].ms).toISOString(),
            'answered for another time',
            { status: 200, headers: {}, text: JSON.stringify(body) },
            request,
          );
        }
      }),
      {
        ...runs(500),
        examples: [
          ...LISTED_BAD_AT.map((value): [Param[], string] => [[{ key: 'at', at: { value, ms: 'bad' } }], 'nobody']),
          [
            [
              { key: 'at', at: { value: '2026-01-01T00:00:00Z', ms: Date.UTC(2026, 0, 1) } },
              { key: 'at', at: { value: '2026-01-01T00:00:00Z', ms: Date.UTC(2026, 0, 1) } },
            ],
            'nobody',
          ],
          [
            [
              { key: 'at', at: { value: '2026-01-01T01:00:00+01:00', ms: Date.UTC(2026, 0, 1) } },
              { key: 'view', view: 'constructor' },
            ],
            'nobody',
          ],
          [[{ key: 'view', view: 'learner_behaviour,__proto__' }], 'nobody'],
        ],
      },
    );
  });

  it('reads every way of writing an instant as that instant, its watermark as of it', async () => {
    await fc.assert(
      fc.asyncProperty(goodAt, async (at) => {
        const iso = new Date(at.ms).toISOString();
        const request = `GET /v1/features/${learner}?at=${String(at.value)}`;
        const one = expectSound(await get(`/v1/features/${learner}?at=${percentEncode(String(at.value))}`), request, {
          status: 200,
        });
        const echo = { status: 200, headers: {}, text: JSON.stringify(one) };
        check(
          one.at === iso && one.watermark === watermarkAt(at.ms),
          `expected at ${iso}, watermark ${watermarkAt(at.ms)}`,
          echo,
          request,
        );
        const many = expectSound(
          await post(
            '/v1/features/batch',
            JSON.stringify({ entityIds: [learner, 'nobody'], at: at.value }),
            'application/json',
          ),
          `batch at ${String(at.value)}`,
          { status: 200 },
        );
        const rows = many.results.map((r: { watermark: string | null }) => r.watermark);
        check(
          many.at === iso && rows[0] === watermarkAt(at.ms) && rows[1] === null,
          `expected at ${iso}, watermarks ${watermarkAt(at.ms)}, null`,
          { ...echo, text: JSON.stringify(many).slice(0, 400) },
          request,
        );
      }),
      runs(300),
    );
  });

  it('POST /v1/features/batch: any body', async () => {
    const goodBatch = fc.record(
      {
        entityIds: fc.array(fc.oneof(goodId, fc.constant(learner)), { minLength: 1, maxLength: 5 }),
        at: fc.oneof(
          goodAt.map((a) => a.value),
          fc.constant(null),
        ),
        views: fc.subarray(['learner_behaviour', 'learner_temporal', 'learner_content']),
      },
      { requiredKeys: ['entityIds'] },
    );
    // A valid batch with one defect, and the field it must be refused as.
    const oneDefect: fc.Arbitrary<{ value: unknown; field: string }> = fc.oneof(
      fc.tuple(goodBatch, badId, fc.nat()).map(([b, id, k]) => {
        const ids: unknown[] = [...b.entityIds];
        ids.splice(k % (ids.length + 1), 0, id);
        return { value: { ...b, entityIds: ids }, field: `entityIds[${ids.indexOf(id)}]` };
      }),
      fc.tuple(goodBatch, badAt).map(([b, at]) => ({ value: { ...b, at: at.value }, field: 'at' })),
      fc
        .tuple(
          goodBatch,
          fc.string({ maxLength: 12 }).filter((v) => !views.includes(v)),
        )
        .map(([b, v]) => ({
          value: { ...b, views: [...(b.views ?? []), v] },
          field: `views[${(b.views ?? []).length}]`,
        })),
      fc
        .tuple(
          goodBatch,
          fc.oneof(
            fc.constant([]),
            fc.constant(Array.from({ length: 1001 }, (_, i) => `e${i}`)),
            fc.string(),
            fc.integer(),
            fc.constant(null),
            fc.constant({}),
          ),
        )
        .map(([b, ids]) => ({ value: { ...b, entityIds: ids }, field: 'entityIds' })),
      fc
        .tuple(goodBatch, fc.oneof(fc.string(), fc.integer(), fc.constant({}), fc.constant([1])))
        .map(([b, v]) => ({ value: { ...b, views: v }, field: 'views' })),
      fc
        .oneof(
          fc.constant(null),
          fc.integer(),
          fc.string(),
          fc.boolean(),
          fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
        )
        .map((value) => ({ value, field: 'body' })),
    );
    const shape = fc.oneof(
      {
        weight: 3,
        arbitrary: goodBatch.map((value) => ({ value, expected: { status: 200 } as Expected | undefined })),
      },
      {
        weight: 4,
        arbitrary: oneDefect.map(({ value, field }) => ({
          value,
          expected: { status: 400, field } as Expected | undefined,
        })),
      },
      {
        weight: 2,
        arbitrary: fc
          .jsonValue({ maxDepth: 3 })
          .map((value) => ({ value, expected: undefined as Expected | undefined })),
      },
    );
    const allowed = /^(body|at|views|views\[\d+\]|entityIds|entityIds\[\d+\])$/;
    await fc.assert(
      fc.asyncProperty(shape, contentType, cutAt, async ({ value, expected }, type, cut) => {
        const body = wireBody(value, cut ?? undefined);
        let want = expected;
        // No body at all is read as a missing one; a body of another type, even an empty one, is a 415.
        if (!type.json)
          want = body.text === '' && type.value === undefined ? { status: 400, field: 'body' } : { status: 415 };
        else if (body.text === '') want = { status: 400, field: 'body' };
        else if (body.defect !== undefined) want = { status: 400, field: 'body' };
        else if (cut !== null) want = undefined;
        const request = `POST /v1/features/batch (${type.value ?? 'no content-type'}) ${body.text.slice(0, 200)}`;
        const answer = expectSound(await post('/v1/features/batch', body.text, type.value), request, want);
        if (answer?.statusCode === 400)
          check(
            allowed.test(answer.field),
            'a field the batch does not have',
            { status: 400, headers: {}, text: JSON.stringify(answer) },
            request,
          );
        if (answer?.results !== undefined) {
          const ids = (value as { entityIds: string[] }).entityIds;
          const rows: { entityId: string; watermark: string | null }[] = answer.results;
          const echo = { status: 200, headers: {}, text: JSON.stringify(answer).slice(0, 400) };
          check(
            rows.length === ids.length && rows.every((r, i) => r.entityId === ids[i]),
            'rows other than the ids asked',
            echo,
            request,
          );
          check(
            rows.every((r) => r.watermark === null || r.watermark <= answer.at),
            'a watermark after the time asked',
            echo,
            request,
          );
        }
      }),
      {
        ...runs(500),
        examples: [
          [
            { value: { entityIds: ['x'], at: 1767225600000.5 }, expected: { status: 400, field: 'at' } },
            { value: 'application/json', json: true },
            null,
          ],
          [
            { value: { entityIds: ['ok', 'ok', 'x\ud800'] }, expected: { status: 400, field: 'entityIds[2]' } },
            { value: 'application/json', json: true },
            null,
          ],
          [
            {
              value: { entityIds: ['x'], views: ['learner_behaviour', 'constructor'] },
              expected: { status: 400, field: 'views[1]' },
            },
            { value: 'application/json', json: true },
            null,
          ],
        ],
      },
    );
  });

  it('POST /v1/events: any body', async () => {
    const event = fc
      .record({
        id: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }),
        entity: fc.integer({ min: 1, max: 20 }),
        type: fc.constantFrom('lesson_sent', 'lesson_started', 'lesson_completed'),
        minutes: fc.integer({ min: 0, max: 60 * 24 * 3 }),
      })
      .map(({ id, entity, type, minutes }) => ({
        event_id: `fz-${id}`,
        entity_id: `fuzz-ev-${entity}`,
        event_type: type,
        event_time: new Date(t0 + minutes * 60_000).toISOString(),
        channel: 'web',
        content_id: 'lesson-1',
      }));
    const weird = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(
        'a\u0000',
        '\ud800',
        '',
        2 ** 63,
        -1,
        1e308,
        'x'.repeat(300),
        '9999-12-31T23:59:59Z',
        '2026-02-30T00:00:00Z',
      ),
    );
    const mutated = fc
      .tuple(
        event,
        fc.constantFrom(
          'event_id',
          'entity_id',
          'event_type',
          'event_time',
          'channel',
          'content_id',
          'attributes',
          'profile',
          'extra',
        ),
        weird,
      )
      .map(([e, key, v]) => ({ ...e, [key]: v }));
    const items = fc.array(
      fc.oneof(
        { weight: 3, arbitrary: event },
        { weight: 3, arbitrary: mutated },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
      ),
      { minLength: 1, maxLength: 6 },
    );
    const shape = fc.oneof(
      { weight: 6, arbitrary: items },
      { weight: 1, arbitrary: fc.oneof(fc.constant([]), fc.jsonValue({ maxDepth: 2 })) },
    );
    await fc.assert(
      fc.asyncProperty(shape, contentType, cutAt, async (value, type, cut) => {
        const body = wireBody(value, cut ?? undefined);
        let want: Expected | undefined;
        // No body at all is read as a missing one; a body of another type, even an empty one, is a 415.
        if (!type.json)
          want = body.text === '' && type.value === undefined ? { status: 400, field: 'body' } : { status: 415 };
        else if (body.text === '') want = { status: 400, field: 'body' };
        else if (body.defect !== undefined) want = { status: 400, field: 'body' };
        else if (cut === null && (!Array.isArray(value) || value.length === 0)) want = { status: 400, field: 'body' };
        const request = `POST /v1/events (${type.value ?? 'no content-type'}) ${body.text.slice(0, 200)}`;
        const answer = expectSound(await post('/v1/events', body.text, type.value), request, want);
        if (cut === null && Array.isArray(value) && value.length > 0 && typeof answer?.accepted === 'number') {
          const echo = { status: 202, headers: {}, text: JSON.stringify(answer).slice(0, 400) };
          check(
            answer.accepted + answer.rejected === value.length &&
              answer.errors.every((e: { index: number }) => e.index >= 0 && e.index < value.length),
            'events other than those sent',
            echo,
            request,
          );
        }
      }),
      runs(300),
    );
  });
});
