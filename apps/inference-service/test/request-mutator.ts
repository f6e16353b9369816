import { CHANNELS } from '@pulse/contracts';
import { Prng } from '@pulse/core';

/**
 * Seeded requests for fuzzing the HTTP API: a valid request of one of the three kinds (single
 * prediction, batch, V2 infer), then mutated at the level of a field (replaced, removed, renamed, an
 * unknown one added), of the text (cut short, a byte inserted, a literal JSON cannot hold), of the
 * content-type or of the path. Each case carries the answers it may get and which fields a refusal
 * may name, so a refusal that names a field the mutations did not touch is caught as well as a 5xx.
 */

export type RequestKind = 'single' | 'batch' | 'v2';
type Segment = string | number;
type Path = readonly Segment[];

/** One answer a case may get: a status, and for a refusal a test of the field it names. */
export interface AllowedAnswer {
  readonly status: number;
  /** Undefined: any field (the answer is still checked for naming one). */
  readonly field?: (field: string) => boolean;
}

export interface FuzzCase {
  readonly index: number;
  readonly kind: RequestKind;
  readonly method: 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
  /** The request as a value, when its text is exactly that value's JSON (no text mutation). */
  readonly value?: unknown;
  readonly mutations: readonly string[];
  readonly allowed: readonly AllowedAnswer[];
}

export interface FuzzContext {
  readonly model: string;
  /** The model's input width (V2 tensors are [N, width]). */
  readonly width: number;
  /** Entities that have events, mixed with ones that have none. */
  readonly entityIds: readonly string[];
  /** Times the requests ask about (epoch ms), all valid. */
  readonly times: readonly number[];
}

/** The service's spelling of a path: `rows[1].context.channel`, `inputs[0].data[7]`. */
export function fieldName(path: Path): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out;
}

// Two spellings of one field; the service names the first.
const ALIASES: Record<string, string> = { entity_id: 'entityId', contentId: 'content_id' };
const normalise = (field: string) => field.replace(/\b(entity_id|contentId)\b/g, (m) => ALIASES[m]);

/**
 * A field is related to a mutated one when it is that field, one containing it (refused whole) or one
 * inside it (an object put in its place); a name cut short after 256 characters still counts. The
 * tensor's shape, datatype and data are checked against each other, so a change of one may be
 * refused as another.
 */
export function related(field: string, mutated: string): boolean {
  const f = normalise(field);
  const m = normalise(mutated);
  const within = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
  if (within(m, f) || within(f, m)) return true;
  if (f.length >= 256 && m.startsWith(f)) return true;
  const tensor = /^inputs\[0\]\.(shape|datatype|data)/;
  return tensor.test(f) && tensor.test(m);
}

const LONG = (n: number) => 'x'.repeat(n);
/** Numbers JSON can write but JSON.stringify cannot (placed as a marker string, swapped in the text). */
const RAW_NUMBERS = ['1e309', '-1e309', '1e39', '-0', '123456789012345678901234567890'];
const rawMarker = (n: string) => `\u0001raw:${n}\u0001`;
/** Literals that are not JSON at all (NaN, Infinity, hex, a leading +). */
const NOT_JSON_LITERALS = ['NaN', 'Infinity', '-Infinity', '0x10', '+1', '.5', 'undefined', "'a'"];

/** Values put in a field's place. */
function hostileValue(rng: Prng): unknown {
  const pool: (() => unknown)[] = [
    () => null,
    () => rng.pick([true, false]),
    () => rng.pick([0, -1, 1.5, -0.5, 1e308, -1e308, 2 ** 53 + 2, 8.64e15, 8.64e15 + 1, -8.64e15]),
    () => rng.pick([253402300799999, 253402300800000, 946684799999, 946684800000, 1767225600000]),
    () => rng.pick(['', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '😀', '\u202e', '\ufeff', '..', '%00']),
    () => rng.pick([LONG(255), LONG(256), LONG(257), LONG(1024), LONG(1025), LONG(70_000)]),
    () => rng.pick(['NaN', 'Infinity', '-Infinity', '1e309', '0x10', 'null', 'true', '[]', '{}']),
    () =>
      rng.pick([
        '+275760-09-13T00:00:00.000Z',
        '275760-09-13T00:00:00Z',
        '-000001-01-01T00:00:00Z',
        '2026-13-45',
        '2026-13-45T00:00:00Z',
        '2026-02-30T00:00:00Z',
        '2026-01-01T24:00:00Z',
        '2026-01-01T00:00:00',
        '2026-01-01 00:00:00Z',
        '2026-01-01T00:00:00+25:00',
        '1969-12-31T23:59:59Z',
        '1970-01-01T00:00:00Z',
        '9999-12-31T23:59:59.999Z',
        '10000-01-01T00:00:00Z',
        '1767225600000',
        '-1',
        '1.5',
        'yesterday',
      ]),
    () => rng.pick(['email', 'web', 'sms', 'slack', 'EMAIL', 'fax', 'e-mail', 'lesson_completion', 'input']),
    () => rng.pick(['FP32', 'FP64', 'FP16', 'INT32', 'INT64', 'UINT8', 'BOOL', 'BYTES', 'fp32', 'FLOAT', 'STRING']),
    () => rng.pick([[], [1], [null], ['a'], [[]], [[[]]], [1, 2], [-1, 95], [0, 95], [1, 95, 1]]),
    () => nested(rng.pick([2, 50, 300])),
    // Deeper than JSON.stringify recurses comfortably: written into the text directly.
    () => rawMarker(`${'['.repeat(20_000)}1${']'.repeat(20_000)}`),
    () => rng.pick<object>([{}, { a: 1 }, { toString: 1 }, { valueOf: 'x' }, { length: 3 }]),
    () => JSON.parse(rng.pick(['{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}'])),
    () => rawMarker(rng.pick(RAW_NUMBERS)),
  ];
  return rng.pick(pool)();
}

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** A valid request of `kind`. */
function validRequest(kind: RequestKind, rng: Prng, ctx: FuzzContext): Record<string, unknown> {
  const row = (): Record<string, unknown> => {
    const r: Record<string, unknown> = { [rng.bernoulli(0.8) ? 'entityId' : 'entity_id']: rng.pick(ctx.entityIds) };
    if (rng.bernoulli(0.6)) {
      const c: Record<string, unknown> = {};
      if (rng.bernoulli(0.7)) c.channel = rng.pick(CHANNELS);
      if (rng.bernoulli(0.5)) c[rng.bernoulli(0.7) ? 'content_id' : 'contentId'] = `lesson-${rng.int(1, 60)}`;
      if (rng.bernoulli(0.3)) c.attributes = { difficulty: rng.pick(['easy', 'hard']), minutes: rng.int(1, 90) };
      r.context = c;
    }
    if (rng.bernoulli(0.5)) {
      const t = rng.pick(ctx.times);
      r.at = rng.bernoulli(0.7) ? new Date(t).toISOString() : t;
    }
    return r;
  };
  if (kind === 'single') return row();
  if (kind === 'batch') {
    const b: Record<string, unknown> = { rows: Array.from({ length: rng.int(1, 5) }, row) };
    if (rng.bernoulli(0.3)) b.context = { channel: rng.pick(CHANNELS) };
    if (rng.bernoulli(0.3)) b.at = new Date(rng.pick(ctx.times)).toISOString();
    return b;
  }
  const n = rng.int(1, 3);
  const data = Array.from({ length: n * ctx.width }, () =>
    rng.bernoulli(0.1) ? null : Math.round(rng.uniform(-5, 100) * 100) / 100,
  );
  const tensor = {
    name: 'input',
    shape: [n, ctx.width],
    datatype: 'FP32',
    data: rng.bernoulli(0.2)
      ? Array.from({ length: n }, (_, i) => data.slice(i * ctx.width, (i + 1) * ctx.width))
      : data,
  };
  const v: Record<string, unknown> = { inputs: [tensor] };
  if (rng.bernoulli(0.5)) v.id = `fuzz-${rng.int(0, 1e6)}`;
  if (rng.bernoulli(0.2)) v.outputs = [{ name: rng.pick(['label', 'probabilities']) }];
  return v;
}

/** Every path of a value (objects' keys, arrays' indices), each with its parent. */
function paths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  // Inside a value nested deeper than any request is, one level stands for the rest.
  if (prefix.length > 8) return out;
  if (Array.isArray(value)) {
    // A long array (a tensor's data) is sampled: a few elements stand for the rest.
    const idx = value.length <= 8 ? value.map((_, i) => i) : [0, 1, value.length >> 1, value.length - 1];
    for (const i of idx) out.push(...paths(value[i], [...prefix, i]));
  } else if (value !== null && typeof value === 'object') {
    for (const k of Object.keys(value)) out.push(...paths((value as Record<string, unknown>)[k], [...prefix, k]));
  }
  return out;
}

function get(value: unknown, path: Path): unknown {
  let v = value;
  for (const s of path) v = (v as Record<Segment, unknown>)[s];
  return v;
}

/** Applies one field mutation in place; returns its description and the paths it touched. */
function mutateField(root: Record<string, unknown>, rng: Prng): { what: string; touched: string[] } {
  const all = paths(root).filter((p) => p.length > 0);
  if (all.length === 0) {
    // Everything removed already: something unknown in its place.
    root.extra = hostileValue(rng);
    return { what: '"extra" added to an empty body', touched: ['extra'] };
  }
  const path = rng.pick(all);
  const parent = get(root, path.slice(0, -1)) as Record<Segment, unknown>;
  const key = path[path.length - 1];
  const name = fieldName(path);
  const op = rng.weighted(['replace', 'remove', 'add', 'rename', 'wrap', 'repeat'], [10, 3, 2, 2, 1, 1]);
  switch (op) {
    case 'replace': {
      const v = hostileValue(rng);
      parent[key] = v;
      return { what: `${name} = ${describe(v)}`, touched: [name] };
    }
    case 'remove':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      return { what: `${name} removed`, touched: [name, fieldName(path.slice(0, -1))] };
    case 'add': {
      if (Array.isArray(parent)) {
        parent.push(hostileValue(rng));
        return { what: `${fieldName(path.slice(0, -1))} grew`, touched: [fieldName(path.slice(0, -1))] };
      }
      const extra = rng.pick(['extra', 'Entityid', 'entityID', 'rows ', '', '\u0000', 'x'.repeat(300), 'outputs2']);
      parent[extra] = hostileValue(rng);
      // An empty key is named by the object holding it.
      const at = extra === '' ? fieldName(path.slice(0, -1)) || 'body' : fieldName([...path.slice(0, -1), extra]);
      return {
        what: `${JSON.stringify(extra.slice(0, 20))} added at ${fieldName(path.slice(0, -1)) || 'the top'}`,
        touched: [at],
      };
    }
    case 'rename': {
      if (Array.isArray(parent) || typeof key !== 'string') return mutateField(root, rng);
      const to = rng.pick([key.toUpperCase(), `${key}_`, key === 'entityId' ? 'entity_id' : 'entityId', 'content_id']);
      const v = parent[key];
      delete parent[key];
      parent[to] = v;
      return {
        what: `${name} renamed ${to}`,
        touched: [name, fieldName([...path.slice(0, -1), to]), fieldName(path.slice(0, -1))],
      };
    }
    case 'wrap':
      parent[key] = rng.bernoulli(0.5) ? [parent[key]] : { value: parent[key] };
      return { what: `${name} wrapped`, touched: [name] };
    default: {
      // A row or a value repeated: rows beyond the limit, a tensor longer than its shape.
      const target = Array.isArray(parent) ? parent : undefined;
      if (!target) return mutateField(root, rng);
      const item = target[key as number];
      // At most a MB of repeats: the body limit is not what this is about.
      const size = (JSON.stringify(item) ?? '').length + 1;
      const times = Math.min(rng.pick([1, 100, 10_001]), Math.floor(1_000_000 / size));
      for (let i = 0; i < times && target.length < 10_002; i++) target.push(item);
      return {
        what: `${fieldName(path.slice(0, -1))} repeated to ${target.length}`,
        touched: [fieldName(path.slice(0, -1))],
      };
    }
  }
}

function describe(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 60)}… (${text.length} chars)` : text;
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8'];
const OTHER_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'application/xml',
  'application/octet-stream',
  'application/x-protobuf',
  'multipart/form-data; boundary=x',
  'application/vnd.api+json',
  'text/json',
  'application/jsonx',
];

/**
 * `count` cases from `seed`, made as they are asked for (a test's other work, and the services it
 * hosts, keep running in between): a tenth left valid, the rest with one to three mutations.
 */
export function* generateCases(seed: string, count: number, ctx: FuzzContext): Generator<FuzzCase> {
  const rng = new Prng(seed);
  for (let index = 0; index < count; index++) {
    const kind = rng.weighted<RequestKind>(['single', 'batch', 'v2'], [4, 2, 3]);
    const value = validRequest(kind, rng, ctx);
    const mutations: string[] = [];
    const allowed: AllowedAnswer[] = [];
    let path =
      kind === 'single'
        ? `/v1/predict/${ctx.model}`
        : kind === 'batch'
          ? `/v1/predict/${ctx.model}/batch`
          : `/v2/models/${ctx.model}/infer`;
    let contentType: string | undefined = 'application/json';
    let textMutated = false;
    let valid = true;

    const level = rng.weighted(['none', 'field', 'text', 'type', 'path'], [1, 12, 3, 1.5, 1]);
    if (level === 'field') {
      const touched: string[] = [];
      for (let m = rng.int(1, 3); m > 0; m--) {
        const r = mutateField(value, rng);
        mutations.push(r.what);
        touched.push(...r.touched);
      }
      // Whatever a field mutation makes, it is answered (still valid) or refused naming what it touched.
      // A __proto__ or constructor.prototype key is refused by the JSON parser, naming the body.
      const poisoned = /"(__proto__|constructor)"/.test(JSON.stringify(value));
      allowed.push(
        { status: 200 },
        { status: 400, field: (f) => touched.some((t) => related(f, t)) || (poisoned && f === 'body') },
      );
      valid = false;
    }
    if (kind === 'single' && rng.bernoulli(0.05)) {
      const explain = rng.pick(['0', '3', '20', '21', '-1', 'x', '', '1&explain=2', '1.5', '٣']);
      path += `?explain=${encodeURIComponent(explain).replace('%26explain%3D', '&explain=')}`;
      mutations.push(`explain=${explain}`);
      if (/^\d{1,2}$/.test(explain) && Number(explain) <= 20) {
        if (valid) allowed.push({ status: 200 });
      } else {
        allowed.push({ status: 400, field: (f) => f === 'explain' });
        if (valid) valid = false;
      }
    }

    let text = JSON.stringify(value).replace(/"\\u0001raw:([^\\]+)\\u0001"/g, '$1');
    let body: string | Buffer = text;
    if (level === 'text') {
      textMutated = true;
      const op = rng.pick(['cut', 'byte', 'literal', 'trailing', 'duplicate key', 'empty', 'not utf-8']);
      mutations.push(`text: ${op}`);
      if (op === 'cut') text = text.slice(0, rng.int(0, text.length - 1));
      else if (op === 'byte') {
        const at = rng.int(0, text.length);
        text = text.slice(0, at) + rng.pick(['"', '{', ']', ',', ':', '\\', ' ', 'x', '\u0000', '\n']) + text.slice(at);
      } else if (op === 'literal') {
        const numbers = [...text.matchAll(/-?\d+(\.\d+)?/g)];
        const m = numbers.length > 0 ? rng.pick(numbers) : undefined;
        if (m) text = text.slice(0, m.index) + rng.pick(NOT_JSON_LITERALS) + text.slice(m.index! + m[0].length);
      } else if (op === 'trailing') text += rng.pick(['}', ',', ' x', '\u0000', '{}', ']']);
      else if (op === 'duplicate key') text = text.replace(/^\{/, `{"${Object.keys(value)[0]}":"dup",`);
      else if (op === 'empty') text = '';
      body = text;
      if (op === 'not utf-8') {
        const bytes = Buffer.from(text);
        const at = rng.int(1, bytes.length - 1);
        body = Buffer.concat([
          bytes.subarray(0, at),
          Buffer.from(
            rng.pick([[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]]),
          ),
          bytes.subarray(at),
        ]);
        // Read as U+FFFD rather than refused (the server's string decoding): only soundness is checked.
        allowed.push({ status: 200 }, { status: 400 }, { status: 404 });
      } else {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        if (!parses || text === '') allowed.push({ status: 400, field: (f) => f === 'body' });
        // Still JSON (a number cut short, a repeated key): whatever it now says.
        else allowed.push({ status: 200 }, { status: 400 });
      }
      valid = false;
    }
    if (level === 'type') {
      const other = rng.bernoulli(0.8);
      contentType = other ? rng.pick(OTHER_TYPES) : undefined;
      mutations.push(`content-type ${contentType ?? 'none'}`);
      allowed.length = 0;
      allowed.push({ status: 415, field: (f) => f === 'content-type' });
      valid = false;
    } else if (level === 'none' || level === 'field') contentType = rng.pick(JSON_TYPES);
    if (level === 'path') {
      const model = rng.pick([
        'churn',
        'LESSON_COMPLETION',
        '%00',
        'lesson_completion%20',
        '__proto__',
        'constructor',
        'a'.repeat(90),
      ]);
      path = path.replace(ctx.model, model);
      mutations.push(`model ${model}`);
      allowed.length = 0;
      allowed.push({ status: 404, field: kind === 'v2' ? undefined : (f) => f === 'model' });
      valid = false;
    }
    if (valid) allowed.push({ status: 200 });
    yield {
      index,
      kind,
      method: 'POST',
      path,
      headers: contentType === undefined ? {} : { 'content-type': contentType },
      body,
      ...(textMutated ? {} : { value: JSON.parse(text) }),
      mutations,
      allowed,
    };
  }
}
