/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import { learningEngagementRegistry } from '@pulse/features';
import { compileModelSpec, DEFAULT_MODELS } from '@pulse/models';
import { waitFor } from '@pulse/testing';
import type { Registry } from 'prom-client';
import { isolatedTopicsEnv } from './child-service.harness';
import { DAY_MS, InferenceHarness, simulatedEvents } from './inference-service.harness';
import { closeConnections, rawRequest, type RawAnswer, type RawRequest } from './raw-http';
import { generateCases, type AllowedAnswer, type FuzzCase } from './request-mutator';

/**
 * Hostile input against the running service's HTTP API (feature-service folding a small stream
 * beside it): NUL and lone surrogates, megabyte strings, 10 and 40 MB bodies, nesting 10,000 and a
 * million deep, every field of the wrong type, absurd times, NaN and Infinity in V2 tensors, shape and
 * datatype mismatches, 10,001 rows, empty and non-JSON bodies, unknown paths, then a few thousand
 * seeded mutations of valid requests (PULSE_FUZZ_SEED picks others). Every answer comes within its
 * timeout and is JSON; none is a 5xx; a refusal names the field (or is a 404, a 413 naming the body,
 * a 415 naming the content-type). Afterwards a valid request still gets the prediction it got before.
 */
const SEED = process.env.PULSE_FUZZ_SEED ?? 'inference-http-fuzz-1';
const MUTATED_REQUESTS = 3000;
const harness = new InferenceHarness();
const MODEL = 'lesson_completion';
const compiled = compileModelSpec(DEFAULT_MODELS[MODEL], learningEngagementRegistry());
const F = compiled.featureNames.length;
const P = `/v1/predict/${MODEL}`;
const B = `${P}/batch`;
const V = `/v2/models/${MODEL}/infer`;
const MB = 1 << 20;

const stream = simulatedEvents(21, 8, 3, Date.now() - 4 * DAY_MS);
const sends = stream.filter((e) => e.eventType === 'lesson_sent');
let url: string;
let metrics: Registry;

/** What an answer must be, when the case knows: a status, and for a refusal the field it names. */
interface Expected {
  readonly status: number;
  readonly field?: string;
}

/**
 * Why an answer is unsound, or undefined: no 5xx, JSON always, a 404 says what is not there, a 413
 * names the body, a 415 the content-type, any other refusal a field; and one of `allowed` when given.
 */
function unsound(a: RawAnswer, allowed?: readonly AllowedAnswer[]): string | undefined {
  if (a.status >= 500) return `a ${a.status}`;
  if (a.json === undefined || a.json === null || typeof a.json !== 'object') return 'an answer that is not JSON';
  const field: unknown = a.json.field;
  if (a.status === 404) {
    if (typeof a.json.message !== 'string' && typeof a.json.error !== 'string') return 'a 404 saying nothing';
  } else if (a.status === 413) {
    if (field !== 'body') return 'a 413 not naming the body';
  } else if (a.status === 415) {
    if (field !== 'content-type' || !a.json.expected?.includes('application/json'))
      return 'a 415 not naming the content-type and the type to send';
  } else if (a.status >= 400) {
    if (typeof field !== 'string' || field.length === 0) return 'a refusal naming no field';
  } else if (a.status !== 200) return `a ${a.status}`;
  if (allowed !== undefined) {
    const ok = allowed.some(
      (x) =>
        x.status === a.status &&
        (x.field === undefined || a.status < 400 || (typeof field === 'string' && x.field(field))),
    );
    if (!ok) return `not one of the answers expected (${[...new Set(allowed.map((x) => x.status))].join(', ')})`;
  }
  return undefined;
}

function show(r: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): string {
  const body =
    r.body === undefined ? '' : Buffer.isBuffer(r.body) ? `<${r.body.toString('hex').slice(0, 120)}>` : r.body;
  return `${r.method} ${r.path.slice(0, 100)} [${r.headers?.['content-type'] ?? 'no content-type'}] ${body.slice(0, 200)}${body.length > 200 ? `… (${body.length} chars)` : ''}`;
}

async function expectAnswer(r: RawRequest, expected: Expected): Promise<RawAnswer> {
  const a = await rawRequest(url, r);
  const why = unsound(a, [
    { status: expected.status, ...(expected.field ? { field: (f) => f === expected.field } : {}) },
  ]);
  if (why !== undefined)
    throw new Error(`${why}\n  request: ${show(r)}\n  answer: ${a.status} ${a.text.slice(0, 300)}`);
  return a;
}

const post = (path: string, body: unknown, timeoutMs?: number): RawRequest => ({
  method: 'POST',
  path,
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
  ...(timeoutMs !== undefined ? { timeoutMs } : {}),
});
const typed = (path: string, type: string | undefined, body: string | Buffer | undefined): RawRequest => ({
  method: 'POST',
  path,
  headers: type === undefined ? {} : { 'content-type': type },
  ...(body !== undefined ? { body } : {}),
});
const deep = (levels: number, inner = '1') => '['.repeat(levels) + inner + ']'.repeat(levels);
const row = (fill: unknown = 1) => Array.from({ length: F }, () => fill);
const tensor = (extra: Record<string, unknown> = {}, n = 1) => ({
  inputs: [
    { name: 'input', shape: [n, F], datatype: 'FP32', data: Array.from({ length: n }, () => row()).flat(), ...extra },
  ],
});
/** A V2 body whose first value is written as `literal` (which JSON.stringify cannot write). */
const tensorWith = (literal: string) => JSON.stringify(tensor()).replace('"data":[1,', `"data":[${literal},`);

/** A prediction's answer without what differs between two askings of the same question. */
function stable(p: any): unknown {
  const { predictionId: _id, predictedAtMs: _at, latencyMs: _ms, ...rest } = p;
  return rest;
}

let baseline: { request: RawRequest; single: unknown; batch: unknown; v2: unknown };
const baselineRequests = () => {
  const send = sends[sends.length - 1];
  const at = new Date(send.eventTimeMs + 60_000).toISOString();
  return {
    single: post(`${P}?explain=2`, {
      entityId: send.entityId,
      context: { channel: 'email', content_id: 'lesson-7' },
      at,
    }),
    batch: post(B, { rows: sends.slice(0, 5).map((s) => ({ entityId: s.entityId })), at }),
    v2: post(
      V,
      tensor(
        {
          data: harness.predictions
            .slice(0, 2)
            .flatMap((p) => p.inputs.map((x) => (Number.isNaN(x.value) ? null : x.value))),
        },
        2,
      ),
    ),
  };
};

beforeAll(async () => {
  await harness.setUp({ seed: 4, learners: 300, days: 30 });
  await harness.startFeatureService();
  ({ url, registry: metrics } = await harness.startInference(isolatedTopicsEnv()));
  await harness.publish(stream);
  // Every send predicted on the Kafka path: feature-service has folded the stream by then.
  await waitFor(() => new Set(harness.predictions.map((p) => p.triggerEventId)).size === sends.length, {
    timeoutMs: 120_000,
    intervalMs: 200,
    message: 'every lesson_sent predicted',
  });
  const r = baselineRequests();
  const [single, batch, v2] = await Promise.all([r.single, r.batch, r.v2].map((q) => expectAnswer(q, { status: 200 })));
  expect(single.json.fallback).toBe(false);
  expect(single.json.topFactors).toHaveLength(2);
  expect(batch.json.predictions).toHaveLength(5);
  baseline = { request: r.single, single: stable(single.json), batch: batch.json.predictions.map(stable), v2: v2.json };
}, 300_000);
afterAll(async () => {
  closeConnections();
  await harness.tearDown();
}, 60_000);

describe('hostile strings', () => {
  it.each<[string, RawRequest, Expected]>([
    ['a NUL in the entity id', post(P, { entityId: 'a\u0000b' }), { status: 400, field: 'entityId' }],
    [
      'a NUL in the entity id, as of a past time',
      post(P, { entityId: 'a\u0000b', at: '2025-01-01T00:00:00Z' }),
      { status: 400, field: 'entityId' },
    ],
    ['a lone high surrogate as the entity id', post(P, { entityId: '\ud800' }), { status: 400, field: 'entityId' }],
    [
      'a lone low surrogate inside the entity id',
      post(P, { entityId: 'x\udc00y', at: '2025-01-01T00:00:00Z' }),
      { status: 400, field: 'entityId' },
    ],
    ['a 1 MB entity id', post(P, { entityId: 'x'.repeat(MB) }), { status: 400, field: 'entityId' }],
    [
      'a NUL in the content id',
      post(P, { entityId: 'a', context: { content_id: 'l\u0000' } }),
      { status: 400, field: 'context.content_id' },
    ],
    [
      'a 1 MB content id',
      post(P, { entityId: 'a', context: { contentId: 'x'.repeat(MB) } }),
      { status: 400, field: 'context.content_id' },
    ],
    [
      'a lone surrogate in an attribute',
      post(P, { entityId: 'a', context: { attributes: { a: '\udfff' } } }),
      { status: 400, field: 'context.attributes.a' },
    ],
    [
      'a 1 MB attribute',
      post(P, { entityId: 'a', context: { attributes: { a: 'x'.repeat(MB) } } }),
      { status: 400, field: 'context.attributes.a' },
    ],
    [
      'a NUL in an attribute name',
      post(P, { entityId: 'a', context: { attributes: { 'a\u0000': 1 } } }),
      { status: 400, field: 'context.attributes.a\u0000' },
    ],
    [
      'a NUL in a batch row’s id',
      post(B, { rows: [{ entityId: 'a' }, { entityId: 'b' }, { entityId: '\u0000' }] }),
      { status: 400, field: 'rows[2].entityId' },
    ],
    [
      'a lone surrogate in the batch context',
      post(B, { rows: [{ entityId: 'a' }], context: { content_id: '\ud83d' } }),
      { status: 400, field: 'context.content_id' },
    ],
    ['a NUL in the model name', post('/v1/predict/%00', { entityId: 'a' }), { status: 404, field: 'model' }],
    [
      'the id given twice under its two spellings',
      post(P, { entityId: 'a', entity_id: 'b' }),
      { status: 400, field: 'entity_id' },
    ],
    ['an empty key', post(P, { entityId: 'a', '': 1 }), { status: 400, field: 'body' }],
    ['an empty key in the tensor', post(V, tensor({ '': 1 })), { status: 400, field: 'inputs[0]' }],
  ])('%s', async (_, request, expected) => {
    await expectAnswer(request, expected);
  });

  it('names an unknown megabyte-long key by its start, in a small answer', async () => {
    const key = 'k'.repeat(MB);
    for (const path of [P, B, V]) {
      const a = await expectAnswer(post(path, { [key]: 1 }), { status: 400, field: 'k'.repeat(512) });
      expect(a.text.length).toBeLessThan(2000);
    }
  });
});

describe('large and deep bodies', () => {
  it('answers 10 MB bodies (refused naming the field; a 10,000-row tensor scored) and refuses 40 MB ones naming the body', async () => {
    const pad = 'x'.repeat(10 * MB);
    await expectAnswer(post(P, { entityId: 'a', pad }, 30_000), { status: 400, field: 'pad' });
    await expectAnswer(post(B, { rows: [{ entityId: 'a' }], pad }, 30_000), { status: 400, field: 'pad' });
    await expectAnswer(post(V, { ...tensor(), pad }, 30_000), { status: 400, field: 'pad' });
    const n = 10_000;
    const big = JSON.stringify(tensor({ data: Array.from({ length: n * F }, (_, i) => (i % 97) / 7) }, n));
    expect(big.length).toBeGreaterThan(5 * MB);
    const scored = await expectAnswer(post(V, big, 60_000), { status: 200 });
    expect(scored.json.outputs.find((o: any) => o.name === 'probabilities').shape).toEqual([n, 2]);
    const huge = 'x'.repeat(40 * MB);
    for (const path of [P, B, V])
      await expectAnswer(post(path, { entityId: 'a', huge }, 30_000), { status: 413, field: 'body' });
  }, 120_000);

  it.each<[string, RawRequest, Expected]>([
    ['the entity id nested 10,000 deep', post(P, `{"entityId":${deep(10_000)}}`), { status: 400, field: 'entityId' }],
    [
      'an attribute nested 10,000 deep',
      post(P, `{"entityId":"a","context":{"attributes":{"x":${deep(10_000)}}}}`),
      { status: 400, field: 'context.attributes.x' },
    ],
    [
      'the context as objects nested 10,000 deep',
      post(P, `{"entityId":"a","context":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`),
      { status: 400, field: 'context.a' },
    ],
    [
      '`at` nested 10,000 deep',
      post(P, `{"entityId":"a","at":${deep(10_000, '"2026-01-01T00:00:00Z"')}}`),
      { status: 400, field: 'at' },
    ],
    [
      'batch rows nested 10,000 deep',
      post(B, `{"rows":${deep(10_000, '{"entityId":"a"}')}}`),
      { status: 400, field: 'rows[0]' },
    ],
    ['the body nested 10,000 deep', post(P, deep(10_000)), { status: 400, field: 'body' }],
    [
      'tensor data nested 10,000 deep',
      post(V, JSON.stringify(tensor()).replace(/"data":\[[^\]]*\]/, `"data":${deep(10_000)}`)),
      { status: 400, field: 'inputs[0].data[0]' },
    ],
    [
      'tensor data nested a million deep',
      post(V, JSON.stringify(tensor()).replace(/"data":\[[^\]]*\]/, `"data":${deep(1_000_000)}`), 30_000),
      { status: 400, field: 'inputs[0].data[0]' },
    ],
    [
      'the tensor shape nested 10,000 deep',
      post(V, JSON.stringify(tensor()).replace(/"shape":\[[^\]]*\]/, `"shape":${deep(10_000)}`)),
      { status: 400, field: 'inputs[0].shape' },
    ],
    [
      'the context nested a million deep',
      post(P, `{"entityId":"a","context":${'{"a":'.repeat(1_000_000)}1${'}'.repeat(1_000_000)}}`, 30_000),
      { status: 400, field: 'context.a' },
    ],
  ])(
    '%s',
    async (_, request, expected) => {
      await expectAnswer(request, expected);
    },
    60_000,
  );
});

describe('every field of the wrong type', () => {
  const wrong = [null, true, 1, -1.5, 'x', '', [], ['a'], {}, { a: 1 }];
  const cases: [string, RawRequest, Expected][] = [];
  const each = (
    path: string,
    field: string,
    make: (v: unknown) => unknown,
    skip: (v: unknown) => boolean = () => false,
  ) => {
    for (const v of wrong)
      if (!skip(v)) cases.push([`${field} = ${JSON.stringify(v)}`, post(path, make(v)), { status: 400, field }]);
  };
  const plain = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const id = (v: unknown) => typeof v === 'string' && v !== '';
  // An optional field given as null is left out (as in an event): null is no wrong type there.
  const optional = (skip: (v: unknown) => boolean) => (v: unknown) => v === null || skip(v);
  const none = () => false;
  each(P, 'body', (v) => v, plain);
  each(P, 'entityId', (v) => ({ entityId: v }), id);
  each(P, 'context', (v) => ({ entityId: 'a', context: v }), optional(plain));
  each(P, 'context.channel', (v) => ({ entityId: 'a', context: { channel: v } }), optional(none));
  each(P, 'context.content_id', (v) => ({ entityId: 'a', context: { content_id: v } }), optional(id));
  each(P, 'context.attributes', (v) => ({ entityId: 'a', context: { attributes: v } }), optional(plain));
  each(
    P,
    'context.attributes.x',
    (v) => ({ entityId: 'a', context: { attributes: { x: v } } }),
    (v) => v !== null && typeof v !== 'object',
  );
  each(P, 'at', (v) => ({ entityId: 'a', at: v }), optional(none));
  each(B, 'body', (v) => v, plain);
  each(
    B,
    'rows',
    (v) => ({ rows: v }),
    (v) => Array.isArray(v) && v.length > 0,
  );
  each(B, 'rows[0]', (v) => ({ rows: [v] }), plain);
  each(B, 'rows[0].entityId', (v) => ({ rows: [{ entityId: v }] }), id);
  each(B, 'rows[0].at', (v) => ({ rows: [{ entityId: 'a', at: v }] }), optional(none));
  each(B, 'context', (v) => ({ rows: [{ entityId: 'a' }], context: v }), optional(plain));
  each(B, 'at', (v) => ({ rows: [{ entityId: 'a' }], at: v }), optional(none));
  each(V, 'body', (v) => v, plain);
  each(
    V,
    'id',
    (v) => ({ ...tensor(), id: v }),
    (v) => typeof v === 'string',
  );
  each(V, 'parameters', (v) => ({ ...tensor(), parameters: v }), plain);
  each(
    V,
    'inputs',
    (v) => ({ inputs: v }),
    (v) => Array.isArray(v) && v.length === 1,
  );
  each(V, 'inputs[0]', (v) => ({ inputs: [v] }), plain);
  each(V, 'inputs[0].name', (v) => tensor({ name: v }));
  each(V, 'inputs[0].datatype', (v) => tensor({ datatype: v }));
  each(V, 'inputs[0].shape', (v) => tensor({ shape: v }));
  each(V, 'inputs[0].data', (v) => tensor({ data: v }), Array.isArray);
  each(
    V,
    'inputs[0].data[0]',
    (v) => tensor({ data: [v, ...row().slice(1)] }),
    (v) => v === null || typeof v === 'number' || Array.isArray(v),
  );
  each(V, 'outputs', (v) => ({ ...tensor(), outputs: v }), Array.isArray);
  each(V, 'outputs[0]', (v) => ({ ...tensor(), outputs: [v] }), plain);
  each(V, 'outputs[0].name', (v) => ({ ...tensor(), outputs: [{ name: v }] }));

  it(`refuses each of ${cases.length} requests naming the field`, async () => {
    const failures: string[] = [];
    for (const [what, request, expected] of cases) {
      await expectAnswer(request, expected).catch((err: Error) => failures.push(`${what}: ${err.message}`));
    }
    expect(failures).toEqual([]);
    expect(cases.length).toBeGreaterThan(150);
  });
});

describe('times', () => {
  const absurd: unknown[] = [
    '+275760-09-13T00:00:00.000Z',
    '275760-09-13T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    8.64e15,
    8.64e15 + 1,
    1e21,
    -1,
    -8.64e15,
    0,
    946_684_799_999,
    253_402_300_800_000,
    '2026-13-45',
    '2026-13-45T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:60:00Z',
    '2026-01-01T00:00:00',
    '2026-01-01 00:00:00Z',
    '2026-01-01T00:00:00+24:00',
    '1969-12-31T23:59:59Z',
    '10000-01-01T00:00:00Z',
    '1.5',
    1.5,
    '-1',
    '1e12',
    '0x10',
    'NaN',
    'Infinity',
    'yesterday',
    '9999999999999999999999',
  ];
  it.each(absurd.map((v) => [JSON.stringify(v), v]))('refuses at = %s naming it, single and batch', async (_, at) => {
    await expectAnswer(post(P, { entityId: 'a', at }), { status: 400, field: 'at' });
    await expectAnswer(post(B, { rows: [{ entityId: 'a' }], at }), { status: 400, field: 'at' });
    await expectAnswer(post(B, { rows: [{ entityId: 'a' }, { entityId: 'b', at }] }), {
      status: 400,
      field: 'rows[1].at',
    });
  });

  it.each<[string, unknown, number]>([
    ['epoch milliseconds written as a string', '1767225600000', 1767225600000],
    ['epoch milliseconds', 1767225600000, 1767225600000],
    ['the first instant an RFC 3339 time may name', '1970-01-01T00:00:00Z', 0],
    ['the last instant', '9999-12-31T23:59:59.999Z', 253_402_300_799_999],
    ['the last instant as epoch milliseconds', 253_402_300_799_999, 253_402_300_799_999],
    ['an offset', '2026-01-01T01:00:00+01:00', Date.UTC(2026, 0, 1)],
  ])('answers %s as that instant', async (_, at, ms) => {
    const a = await expectAnswer(post(P, { entityId: sends[0].entityId, at }), { status: 200 });
    expect(a.json.asOfMs).toBe(ms);
  });
});

describe('V2 tensors', () => {
  it.each<[string, RawRequest, Expected]>([
    ['a NaN literal', post(V, tensorWith('NaN')), { status: 400, field: 'body' }],
    ['an Infinity literal', post(V, tensorWith('Infinity')), { status: 400, field: 'body' }],
    ['1e309 (Infinity once read)', post(V, tensorWith('1e309')), { status: 400, field: 'inputs[0].data[0]' }],
    ['-1e309', post(V, tensorWith('-1e309')), { status: 400, field: 'inputs[0].data[0]' }],
    [
      '1e39 (infinite as FP32)',
      post(V, tensor({ data: [1e39, ...row().slice(1)] })),
      { status: 400, field: 'inputs[0].data[0]' },
    ],
    [
      '"NaN" as a string',
      post(V, tensor({ data: ['NaN', ...row().slice(1)] })),
      { status: 400, field: 'inputs[0].data[0]' },
    ],
    [
      '"Infinity" in a nested row',
      post(V, tensor({ data: [[...row().slice(1), 'Infinity']] })),
      { status: 400, field: `inputs[0].data[0][${F - 1}]` },
    ],
    [
      'a boolean in an FP32 tensor',
      post(V, tensor({ data: [true, ...row().slice(1)] })),
      { status: 400, field: 'inputs[0].data[0]' },
    ],
    [
      '1.5 in an INT32 tensor',
      post(V, tensor({ datatype: 'INT32', data: [1.5, ...row().slice(1)] })),
      { status: 400, field: 'inputs[0].data[0]' },
    ],
    [
      '2^53 + 2 in an INT64 tensor',
      post(V, tensor({ datatype: 'INT64', data: [2 ** 53 + 2, ...row().slice(1)] })),
      { status: 400, field: 'inputs[0].data[0]' },
    ],
    [
      '-1 in a UINT8 tensor',
      post(V, tensor({ datatype: 'UINT8', data: [...row().slice(1), -1] })),
      { status: 400, field: `inputs[0].data[${F - 1}]` },
    ],
    ['1 in a BOOL tensor', post(V, tensor({ datatype: 'BOOL' })), { status: 400, field: 'inputs[0].data[0]' }],
    ['BYTES', post(V, tensor({ datatype: 'BYTES' })), { status: 400, field: 'inputs[0].datatype' }],
    ['fp32 in lower case', post(V, tensor({ datatype: 'fp32' })), { status: 400, field: 'inputs[0].datatype' }],
    ['a shape of one row too many', post(V, tensor({ shape: [2, F] })), { status: 400, field: 'inputs[0].data' }],
    ['a shape one column short', post(V, tensor({ shape: [1, F - 1] })), { status: 400, field: 'inputs[0].shape' }],
    ['a shape of three dimensions', post(V, tensor({ shape: [1, F, 1] })), { status: 400, field: 'inputs[0].shape' }],
    ['a shape of -1 rows', post(V, tensor({ shape: [-1, F] })), { status: 400, field: 'inputs[0].shape' }],
    ['a shape of 1e300 rows', post(V, tensor({ shape: [1e300, F] })), { status: 400, field: 'inputs[0].shape' }],
    ['a shape of 10,001 rows', post(V, tensor({ shape: [10_001, F] })), { status: 400, field: 'inputs[0].shape' }],
    [
      'ragged rows of the right total',
      post(V, tensor({ shape: [2, F], data: [row().slice(1), [...row(), 1]] })),
      { status: 400, field: 'inputs[0].data[0]' },
    ],
    [
      'rows nested deeper than the shape',
      post(V, tensor({ data: [[row()]] })),
      { status: 400, field: 'inputs[0].data[0]' },
    ],
    [
      'two input tensors',
      post(V, { inputs: [tensor().inputs[0], tensor().inputs[0]] }),
      { status: 400, field: 'inputs' },
    ],
    [
      'an unknown output',
      post(V, { ...tensor(), outputs: [{ name: 'variable' }] }),
      { status: 400, field: 'outputs[0].name' },
    ],
    ['an unknown model', post('/v2/models/churn/infer', tensor()), { status: 404 }],
    [
      'a version that is no number',
      post(`/v2/models/${MODEL}/versions/abc/infer`, tensor()),
      { status: 400, field: 'version' },
    ],
    ['version 0', post(`/v2/models/${MODEL}/versions/0/infer`, tensor()), { status: 400, field: 'version' }],
    ['a version not served', post(`/v2/models/${MODEL}/versions/99/infer`, tensor()), { status: 404 }],
  ])('%s', async (_, request, expected) => {
    await expectAnswer(request, expected);
  });

  it('reads a BOOL tensor, a nested one and null (missing) values', async () => {
    await expectAnswer(post(V, tensor({ datatype: 'BOOL', data: row(true) })), { status: 200 });
    await expectAnswer(post(V, tensor({ data: [row(null), row(2)], shape: [2, F] })), { status: 200 });
    const flat = await expectAnswer(post(V, tensor({ data: [...row(null), ...row(2)] }, 2)), { status: 200 });
    const nested = await expectAnswer(post(V, tensor({ data: [row(null), row(2)] }, 2)), { status: 200 });
    expect(nested.json.outputs).toEqual(flat.json.outputs);
  });
});

describe('bodies, content types and paths', () => {
  const json = 'application/json';
  const bodyOf = (path: string) =>
    path === V ? JSON.stringify(tensor()) : path === B ? '{"rows":[{"entityId":"a"}]}' : '{"entityId":"a"}';
  const cases: [string, RawRequest, Expected][] = [];
  for (const path of [P, B, V]) {
    cases.push(
      [`${path}: an empty JSON body`, typed(path, json, ''), { status: 400, field: 'body' }],
      [`${path}: no body at all`, typed(path, undefined, undefined), { status: 400, field: 'body' }],
      [`${path}: JSON cut short`, typed(path, json, bodyOf(path).slice(0, 12)), { status: 400, field: 'body' }],
      [
        `${path}: a __proto__ key`,
        typed(path, json, bodyOf(path).replace('{', '{"__proto__":{"x":1},')),
        { status: 400, field: 'body' },
      ],
      [`${path}: trailing garbage`, typed(path, json, `${bodyOf(path)}x`), { status: 400, field: 'body' }],
    );
    for (const type of [
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'application/xml',
      'application/octet-stream',
      'multipart/form-data; boundary=x',
      'application/vnd.api+json',
      'text/json',
      undefined,
    ])
      cases.push([
        `${path}: the body as ${type ?? 'no content-type'}`,
        typed(path, type, bodyOf(path)),
        { status: 415, field: 'content-type' },
      ]);
    cases.push([
      `${path}: a form that reads as a valid request`,
      typed(path, 'application/x-www-form-urlencoded', 'entityId=a'),
      { status: 415, field: 'content-type' },
    ]);
  }
  cases.push(
    ['an unknown path', { method: 'GET', path: '/nope' }, { status: 404 }],
    ['predict without a model', post('/v1/predict', { entityId: 'a' }), { status: 404 }],
    ['predict with a path beyond batch', post(`${B}/more`, { entityId: 'a' }), { status: 404 }],
    ['GET on predict', { method: 'GET', path: P }, { status: 404 }],
    ['DELETE on infer', { method: 'DELETE', path: V }, { status: 404 }],
    ['an unknown model', post('/v1/predict/churn', { entityId: 'a' }), { status: 404, field: 'model' }],
    [
      'an unknown model, batch',
      post('/v1/predict/churn/batch', { rows: [{ entityId: 'a' }] }),
      { status: 404, field: 'model' },
    ],
    ['a model named __proto__', post('/v1/predict/__proto__', { entityId: 'a' }), { status: 404, field: 'model' }],
    ['explain=x', post(`${P}?explain=x`, { entityId: 'a' }), { status: 400, field: 'explain' }],
    ['explain=21', post(`${P}?explain=21`, { entityId: 'a' }), { status: 400, field: 'explain' }],
    ['explain twice', post(`${P}?explain=1&explain=2`, { entityId: 'a' }), { status: 400, field: 'explain' }],
  );
  it.each(cases)('%s', async (_, request, expected) => {
    await expectAnswer(request, expected);
  });

  it('refuses 10,001 batch rows naming rows, and answers 10,000 in order', async () => {
    await expectAnswer(post(B, { rows: Array.from({ length: 10_001 }, () => ({ entityId: 'a' })) }), {
      status: 400,
      field: 'rows',
    });
    // Learners with an online state (an id without one is replayed from the log, a query each).
    const ids = Array.from({ length: 10_000 }, (_, i) => sends[i % sends.length].entityId);
    const a = await expectAnswer(post(B, { rows: ids.map((entityId) => ({ entityId })) }, 90_000), { status: 200 });
    expect(a.json.predictions.map((p: any) => p.entityId)).toEqual(ids);
  }, 120_000);
});

// The server's own body decoding and router answer these before any handler of the HTTP layer (the
// app's strict UTF-8 JSON parser and router refusals, shared with feature-service).
describe('answered by the server before the HTTP layer', () => {
  it('a JSON body that is not UTF-8 is a 400 naming the body', async () => {
    const bytes = Buffer.concat([Buffer.from('{"entityId":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    await expectAnswer(typed(P, 'application/json', bytes), { status: 400, field: 'body' });
  });
  it('a path that is not percent-encoded UTF-8 is a 400 naming the path', async () => {
    await expectAnswer(post('/v1/predict/%ff', { entityId: 'a' }), { status: 400, field: 'path' });
  });
  it('a model name beyond the router’s parameter length is a 414 naming the path; a long one within it a 404 naming the model', async () => {
    const a = await rawRequest(url, post(`/v1/predict/${'m'.repeat(3000)}`, { entityId: 'a' }));
    expect([a.status, a.json.field]).toEqual([414, 'path']);
    const b = await rawRequest(url, post(`/v1/predict/${'m'.repeat(101)}`, { entityId: 'a' }));
    expect([b.status, b.json.field]).toEqual([404, 'model']);
  });
  it('neither is a 5xx, and each is JSON', async () => {
    const bytes = Buffer.concat([Buffer.from('{"entityId":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    for (const r of [
      typed(P, 'application/json', bytes),
      post('/v1/predict/%ff', { entityId: 'a' }),
      post(`/v1/predict/${'m'.repeat(101)}`, { entityId: 'a' }),
    ]) {
      const a = await rawRequest(url, r);
      expect({ status: a.status < 500, json: typeof a.json }).toEqual({ status: true, json: 'object' });
    }
  });
});

describe(`${MUTATED_REQUESTS} seeded mutations of valid requests (seed ${SEED})`, () => {
  it('answers each soundly, as its mutations allow, within its timeout', async () => {
    const cases = generateCases(SEED, MUTATED_REQUESTS, {
      model: MODEL,
      width: F,
      entityIds: [...new Set(sends.map((s) => s.entityId)), 'nobody', 'learner-999999'],
      times: sends.map((s) => s.eventTimeMs),
    });
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const worker = async () => {
      for (let next = cases.next(); !next.done; next = cases.next()) {
        const c = next.value;
        let a: RawAnswer;
        try {
          a = await rawRequest(url, { ...c, timeoutMs: 15_000 });
        } catch (err) {
          failures.push(
            `#${c.index} ${(err as Error).message}\n  mutations: ${c.mutations.join('; ')}\n  request: ${show(c)}`,
          );
          continue;
        }
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        const why = unsound(a, c.allowed) ?? (a.status === 200 ? wrongAnswer(c, a.json) : undefined);
        if (why !== undefined)
          failures.push(
            `#${c.index} ${why}\n  mutations: ${c.mutations.join('; ') || 'none'}\n  request: ${show(c)}\n  answer: ${a.status} ${a.text.slice(0, 300)}`,
          );
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    expect(failures.slice(0, 10)).toEqual([]);
    // The generator reached every kind of answer.
    for (const status of [200, 400, 404, 415]) expect(statuses.get(status) ?? 0).toBeGreaterThan(20);
  }, 180_000);
});

/** What a 200 must say, where the request is known as a value: the entities, rows and outputs asked. */
function wrongAnswer(c: FuzzCase, body: any): string | undefined {
  const v = c.value as any;
  if (v === undefined) return undefined;
  if (c.kind === 'single') {
    if (body.model !== MODEL || body.entityId !== (v.entityId ?? v.entity_id)) return 'a prediction for another entity';
    if (!(body.score >= 0 && body.score <= 1) || body.inputs?.length !== F)
      return 'a prediction without a score or its inputs';
  } else if (c.kind === 'batch') {
    const ids = v.rows.map((r: any) => r.entityId ?? r.entity_id);
    if (JSON.stringify(body.predictions?.map((p: any) => p.entityId)) !== JSON.stringify(ids))
      return 'rows other than those asked';
  } else {
    const asked = [...new Set<string>(v.outputs?.map((o: any) => o.name) ?? ['label', 'probabilities'])].sort();
    if (JSON.stringify(body.outputs?.map((o: any) => o.name).sort()) !== JSON.stringify(asked))
      return 'outputs other than those asked';
    const n = v.inputs[0].shape[0];
    for (const o of body.outputs)
      if (o.data.length !== o.shape.reduce((a: number, b: number) => a * b, 1) || o.shape[0] !== n)
        return `output ${o.name} of the wrong shape`;
  }
  return undefined;
}

describe('after the storm', () => {
  it('answers the valid requests of before with the same predictions', async () => {
    const r = baselineRequests();
    const single = await expectAnswer(r.single, { status: 200 });
    const batch = await expectAnswer(r.batch, { status: 200 });
    const v2 = await expectAnswer(r.v2, { status: 200 });
    expect(stable(single.json)).toEqual(baseline.single);
    expect(batch.json.predictions.map(stable)).toEqual(baseline.batch);
    expect(v2.json).toEqual(baseline.v2);
    expect((await rawRequest(url, { method: 'GET', path: '/health/live' })).status).toBe(200);
  });

  it('counted no 5xx among everything it answered', async () => {
    const m = await metrics.getSingleMetric('pulse_http_request_duration_seconds')?.get();
    const counts = (m?.values ?? []).filter((x) => (x as { metricName?: string }).metricName?.endsWith('_count'));
    const total = counts.reduce((s, x) => s + x.value, 0);
    expect(total).toBeGreaterThan(MUTATED_REQUESTS);
    expect(counts.filter((x) => String(x.labels.status).startsWith('5'))).toEqual([]);
  });
});
