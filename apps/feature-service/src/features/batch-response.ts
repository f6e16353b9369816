import type { FeatureValue } from '@pulse/features';
import type { EncodingMemo, ViewColumns } from './evaluated-views';
import type { ColumnarRead, EntityFeatures } from './feature-read.service';

export interface BatchViewHeader {
  readonly name: string;
  readonly version: number;
  /** Order of the values and freshness arrays of every result. */
  readonly features: readonly string[];
}

export interface BatchEntityResult {
  readonly entityId: string;
  readonly path: EntityFeatures['path'];
  readonly watermark: string | null;
  /** view name -> values, in the header's feature order. */
  readonly values: Record<string, FeatureValue[]>;
  /** view name -> ms from the newest contributing event to `at` (null: none), same order. */
  readonly freshness: Record<string, (number | null)[]>;
}

export interface BatchFeaturesResponse {
  readonly at: string;
  readonly views: readonly BatchViewHeader[];
  readonly results: readonly BatchEntityResult[];
}

/**
 * Columnar batch answer (as Feast's online response): feature names once per view, then positional
 * arrays per entity — a third of the keyed form's size for 1000 entities. Written straight into one
 * buffer as UTF-8 JSON (exactly JSON.stringify of a BatchFeaturesResponse): the values that do not move
 * with the as-of time are kept encoded with the cached columns, the times are written digit by digit,
 * so a batch of 1000 makes no per-value objects or strings.
 */
export function writeBatchResponse(r: ColumnarRead): Buffer {
  return new BatchResponseWriter().finish(r);
}

/**
 * writeBatchResponse in steps: rows may be written as soon as they are final (readColumns says when),
 * so the encoding of the first entities overlaps the store's work on the next ones.
 */
export class BatchResponseWriter {
  private readonly w: JsonWriter;
  private keys: Buffer[] | undefined;
  /** The views answered, named in order (what a row template is made for). */
  private views = '';
  private written = 0;

  /** `buffer`: where to write (a recycled one, see ResponseBuffers); it is replaced if too small. */
  constructor(buffer?: Buffer) {
    this.w = new JsonWriter(buffer ?? Buffer.allocUnsafe(sizeHint));
  }

  /** The buffer written into (finish's answer is a view of it): recycle it once the answer is sent. */
  get buffer(): Buffer {
    return this.w.buf;
  }

  /** Writes rows up to (not including) `end`; the rows before it must be final. */
  write(r: ColumnarRead, end: number): void {
    if (end <= this.written) return;
    const w = this.w;
    const width = r.views.length;
    let keys = this.keys;
    if (keys === undefined) {
      // The views' versions are the first row's (every row has the registry's).
      const header: BatchViewHeader[] = r.views.map((v, j) => ({ name: v.name, version: r.columns[j].version, features: v.features }));
      keys = this.keys = r.views.map((v, j) => Buffer.from((j === 0 ? '' : ',') + JSON.stringify(v.name) + ':'));
      this.views = JSON.stringify(r.views.map((v) => v.name));
      w.text('{"at":"' + new Date(r.atMs).toISOString() + '","views":' + JSON.stringify(header) + ',"results":[');
    }
    for (let i = this.written; i < end; i++) {
      const base = i * width;
      if (i > 0) w.byte(0x2c); // ,
      const memo = r.online[i] === 1 ? r.memos[i] : undefined;
      if (memo !== undefined) {
        const t = templateOf(memo, r, i, keys, this.views);
        writeTemplate(w, t, r.atMs);
        writeRowFreshness(w, t, keys, r.atMs);
      } else {
        w.text(headOf(r, i));
        for (let j = 0; j < width; j++) {
          w.bytes(keys[j]);
          const c = r.columns[base + j];
          writeValues(w, c, r.atMs - c.asOf);
        }
        w.bytes(FRESHNESS);
        for (let j = 0; j < width; j++) {
          w.bytes(keys[j]);
          const c = r.columns[base + j];
          writeFreshness(w, c, r.atMs - c.asOf);
        }
      }
      w.bytes(END_ROW);
    }
    this.written = end;
  }

  /** Writes the rows not written yet and returns the whole answer. */
  finish(r: ColumnarRead): Buffer {
    const n = r.entityIds.length;
    if (n === 0) {
      const header = r.views.map((v) => ({ name: v.name, version: 0, features: v.features }));
      return Buffer.from('{"at":"' + new Date(r.atMs).toISOString() + '","views":' + JSON.stringify(header) + ',"results":[]}');
    }
    this.write(r, n);
    this.w.bytes(END);
    const out = this.w.done();
    sizeHint = Math.max(4096, out.length + (out.length >> 3));
    return out;
  }
}

let sizeHint = 4096;

/**
 * Answer buffers recycled between batch requests: a megabyte answer in a new buffer each time is
 * external memory that makes V8 run full garbage collections (measured: 14 of 20 pauses during the
 * batch reads, up to 20 ms each). A buffer comes back once its answer has been handed to the socket.
 */
export class ResponseBuffers {
  private readonly free: Buffer[] = [];

  constructor(private readonly max = 4) {}

  take(): Buffer | undefined {
    return this.free.pop();
  }

  give(b: Buffer): void {
    // only the full buffer (not a view of it) is worth keeping
    if (this.free.length < this.max && b.byteOffset === 0 && b.length >= 4096) this.free.push(b);
  }
}
const FRESHNESS = Buffer.from('},"freshness":{');
const END_ROW = Buffer.from('}}');
const END = Buffer.from(']}');

function headOf(r: ColumnarRead, i: number): string {
  const w = r.watermarks[i];
  return (
    '{"entityId":' +
    JSON.stringify(r.entityIds[i]) +
    ',"path":"' +
    (r.online[i] === 1 ? 'online' : 'offline') +
    '","watermark":' +
    (Number.isNaN(w) ? 'null' : '"' + new Date(w).toISOString() + '"') +
    ',"values":{'
  );
}

/**
 * An online row's encoding up to its freshness, kept with the entity's cached evaluation: its head and
 * every view's values in a few buffers, split around the shifted (timeSinceLast) values.
 */
export interface RowTemplate {
  /** The columns it was made from: the memo's at generation `gen` for the views named `views`. */
  readonly columns: readonly ViewColumns[];
  readonly gen: number;
  readonly views: string;
  readonly segments: readonly Buffer[];
  /** Per shifted value: the view's position in the row, then the feature's. */
  readonly slots: readonly number[];
  /**
   * The freshness of every feature, view after view, in one block (NaN: none), as of its view's asOf:
   * what writeRowFreshness reads instead of each view's arrays.
   */
  readonly fresh: Float64Array;
  /** Per feature: an earlier one of the row with the same freshness at every as-of time (-1: none). */
  readonly same: Int32Array;
  /** Where each view's features start in `fresh`, then where the last one ends. */
  readonly bounds: Int32Array;
  /** At most the bytes of the freshness part (keys, brackets, commas and numbers). */
  readonly freshBytes: number;
}

function templateOf(memo: EncodingMemo, r: ColumnarRead, i: number, keys: readonly Buffer[], views: string): RowTemplate {
  const t = memo.row;
  if (t !== undefined && t.gen === memo.gen && t.views === views) return t;
  const width = keys.length;
  const base = i * width;
  const columns = r.columns.slice(base, base + width);
  const segments: Buffer[] = [];
  const slots: number[] = [];
  let text = headOf(r, i);
  columns.forEach((c, j) => {
    text += keys[j].toString() + '[';
    let next = 0;
    for (let k = 0; k < c.values.length; k++) {
      if (k > 0) text += ',';
      if (c.shifted[next] === k) {
        segments.push(Buffer.from(text));
        slots.push(j, k);
        text = '';
        next++;
      } else text += valueJson(c.values[k]);
    }
    text += ']';
  });
  segments.push(Buffer.from(text + '},"freshness":{'));
  const bounds = new Int32Array(width + 1);
  columns.forEach((c, j) => (bounds[j + 1] = bounds[j] + c.freshness.length));
  const total = bounds[width];
  const fresh = new Float64Array(total);
  const same = new Int32Array(total).fill(-1);
  // Features over the same events share their newest event: about a third of the times are distinct.
  const first = new Map<string, number>();
  columns.forEach((c, j) => {
    c.freshness.forEach((f, k) => {
      const at = bounds[j] + k;
      fresh[at] = f ?? NaN;
      if (f === null) return;
      const key = `${c.asOf}:${f}`;
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, at);
      else same[at] = earlier;
    });
  });
  const freshBytes = keys.reduce((a, k) => a + k.length + 2, 0) + 25 * total;
  return (memo.row = { columns, gen: memo.gen, views, segments, slots, fresh, same, bounds, freshBytes });
}

let starts = new Int32Array(256);
let ends = new Int32Array(256);

/** The freshness part of an online row from its template: every view's array, straight into the buffer. */
function writeRowFreshness(w: JsonWriter, t: RowTemplate, keys: readonly Buffer[], atMs: number): void {
  const { fresh, same, bounds } = t;
  if (starts.length < fresh.length) {
    starts = new Int32Array(fresh.length);
    ends = new Int32Array(fresh.length);
  }
  w.reserve(t.freshBytes);
  const b = w.buf;
  let p = w.pos;
  for (let j = 0; j < keys.length; j++) {
    const key = keys[j];
    for (let k = 0; k < key.length; k++) b[p++] = key[k];
    b[p++] = 0x5b; // [
    const d = atMs - t.columns[j].asOf;
    for (let k = bounds[j], end = bounds[j + 1]; k < end; k++) {
      if (k > bounds[j]) b[p++] = 0x2c; // ,
      const start = p;
      const e = same[k];
      if (e >= 0) {
        for (let q = starts[e], stop = ends[e]; q < stop; q++) b[p++] = b[q];
      } else {
        const x = fresh[k];
        if (Number.isNaN(x)) p = putAscii(b, p, 'null');
        else {
          p = putNumber(b, p, x + d);
        }
      }
      starts[k] = start;
      ends[k] = p;
    }
    b[p++] = 0x5d; // ]
  }
  w.pos = p;
}

function writeTemplate(w: JsonWriter, t: RowTemplate, atMs: number): void {
  const { segments, slots, columns } = t;
  w.bytes(segments[0]);
  for (let k = 0; k < slots.length; k += 2) {
    const c = columns[slots[k]];
    const v = c.values[slots[k + 1]];
    w.number(v === null ? null : (v as number) + (atMs - c.asOf));
    w.bytes(segments[(k >> 1) + 1]);
  }
}

function writeValues(w: JsonWriter, c: ViewColumns, d: number): void {
  // The values' JSON split around the shifted (timeSinceLast) values, kept with the (immutable) columns.
  let segments = c.encoded;
  if (segments === undefined) {
    segments = [];
    let text = '[';
    let next = 0;
    for (let i = 0; i < c.values.length; i++) {
      if (i > 0) text += ',';
      if (c.shifted[next] === i) {
        segments.push(Buffer.from(text));
        text = '';
        next++;
      } else text += valueJson(c.values[i]);
    }
    segments.push(Buffer.from(text + ']'));
    c.encoded = segments;
  }
  w.bytes(segments[0]);
  for (let k = 0; k < c.shifted.length; k++) {
    const v = c.values[c.shifted[k]];
    w.number(v === null ? null : (v as number) + d);
    w.bytes(segments[k + 1]);
  }
}

const colStarts: number[] = [];
const colEnds: number[] = [];

// For each feature, an earlier one with the same freshness (-1: none), kept with the columns. Features
// over the same events share their newest event: a view has about a third as many distinct times.
function repeatsOf(c: ViewColumns): Int32Array {
  let r = c.repeats;
  if (r === undefined) {
    const f = c.freshness;
    r = new Int32Array(f.length).fill(-1);
    for (let i = 1; i < f.length; i++) {
      if (f[i] === null) continue;
      for (let j = 0; j < i; j++) {
        if (f[j] === f[i]) {
          r[i] = j;
          break;
        }
      }
    }
    c.repeats = r;
  }
  return r;
}

function writeFreshness(w: JsonWriter, c: ViewColumns, d: number): void {
  const f = c.freshness;
  const n = f.length;
  const repeats = repeatsOf(c);
  // Room for every number (at most 24 characters as JSON) and separator, then bytes written in place.
  w.reserve(2 + 25 * n);
  const b = w.buf;
  let p = w.pos;
  b[p++] = 0x5b; // [
  for (let i = 0; i < n; i++) {
    if (i > 0) b[p++] = 0x2c; // ,
    const start = p;
    const j = repeats[i];
    if (j >= 0) {
      for (let k = colStarts[j], end = colEnds[j]; k < end; k++) b[p++] = b[k];
    } else {
      const x = f[i];
      if (x === null) p = putAscii(b, p, 'null');
      else {
        p = putNumber(b, p, x + d);
      }
    }
    colStarts[i] = start;
    colEnds[i] = p;
  }
  b[p++] = 0x5d; // ]
  w.pos = p;
}

/** JSON of a number at b[p]; returns the end. Integers (times, counts) digit pairs at a time. */
function putNumber(b: Buffer, p: number, v: number): number {
  return Number.isInteger(v) && v >= 0 && v <= 1e15 ? putInt(b, p, v) : putAscii(b, p, valueJson(v));
}

function putAscii(b: Buffer, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  return p;
}

/** Writes the digits of an integer in [0, 1e15] at p, two at a time; returns where they end. */
function putInt(b: Buffer, p: number, x: number): number {
  const stop = p + digitsOf(x);
  let end = stop;
  while (x > 0x7fffffff) {
    const q = Math.floor(x / 100);
    const r = (x - q * 100) << 1;
    b[--end] = PAIRS[r + 1];
    b[--end] = PAIRS[r];
    x = q;
  }
  let v = x | 0;
  while (v >= 100) {
    const q = (v / 100) | 0;
    const r = (v - q * 100) << 1;
    b[--end] = PAIRS[r + 1];
    b[--end] = PAIRS[r];
    v = q;
  }
  if (v >= 10) {
    b[--end] = PAIRS[(v << 1) + 1];
    b[--end] = PAIRS[v << 1];
  } else b[--end] = 48 + v;
  return stop;
}

/** JSON.stringify of one value (a non-finite number is null there too). */
function valueJson(v: FeatureValue | undefined): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  return 'null';
}

const NULL = Buffer.from('null');
/** "00" to "99", the ASCII digits of every two-digit remainder. */
const PAIRS = Buffer.from(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''));

/** Decimal digits of a non-negative integer up to 1e15. */
function digitsOf(x: number): number {
  if (x < 1e5) return x < 10 ? 1 : x < 100 ? 2 : x < 1e3 ? 3 : x < 1e4 ? 4 : 5;
  if (x < 1e10) return x < 1e6 ? 6 : x < 1e7 ? 7 : x < 1e8 ? 8 : x < 1e9 ? 9 : 10;
  return x < 1e11 ? 11 : x < 1e12 ? 12 : x < 1e13 ? 13 : x < 1e14 ? 14 : x < 1e15 ? 15 : 16;
}

/** A growing UTF-8 buffer. */
class JsonWriter {
  /** Written so far: buf[0, pos). Callers that reserve() room may write there directly. */
  buf: Buffer;
  pos = 0;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  byte(b: number): void {
    if (this.pos === this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  bytes(b: Buffer): void {
    const n = b.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    if (n > 32) {
      // TypedArray#set: a plain memcpy, without Buffer#copy's argument handling.
      this.buf.set(b, this.pos);
      this.pos += n;
      return;
    }
    const out = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) out[p++] = b[i];
    this.pos = p;
  }

  text(s: string): void {
    if (this.pos + 3 * s.length > this.buf.length) this.grow(3 * s.length);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** JSON of a number or null; integers (times) two digits at a time. */
  number(x: number | null): void {
    if (x === null) return this.bytes(NULL);
    if (!Number.isInteger(x) || x < 0 || x > 1e15) return this.text(valueJson(x));
    this.reserve(16);
    this.pos = putInt(this.buf, this.pos, x);
  }

  /** Makes room for n more bytes (buf may be replaced). */
  reserve(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + need));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}
