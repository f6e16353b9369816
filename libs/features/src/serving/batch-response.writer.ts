import { ByteSink } from '@pulse/core';
import type { FeatureValue } from '../definition/feature-view.types';
import type { ColumnarRead, EncodingMemo, ReadPath, RowTemplate, ViewColumns } from './read-answer.types';

export interface BatchViewHeader {
  readonly name: string;
  readonly version: number;
  /** Order of the values and freshness arrays of every result. */
  readonly features: readonly string[];
}

export interface BatchEntityResult {
  readonly entityId: string;
  readonly path: ReadPath;
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
 * buffer as UTF-8 JSON (exactly JSON.stringify of a BatchFeaturesResponse): an online row is copied
 * from the encoding kept with the entity's cached evaluation and only the digits that move with the
 * as-of time are rewritten, so a batch of 1000 makes no per-value objects or strings.
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
    let keys = this.keys;
    if (keys === undefined) {
      // The views' versions are the first row's (every row has the registry's).
      const header: BatchViewHeader[] = r.views.map((v, j) => ({
        name: v.name,
        version: r.columns[j].version,
        features: v.features,
      }));
      keys = this.keys = r.views.map((v, j) => Buffer.from((j === 0 ? '' : ',') + JSON.stringify(v.name) + ':'));
      this.views = interned(JSON.stringify(r.views.map((v) => v.name)));
      w.text('{"at":"' + new Date(r.atMs).toISOString() + '","views":' + JSON.stringify(header) + ',"results":[');
    }
    for (let i = this.written; i < end; i++) {
      if (i > 0) w.byte(0x2c); // ,
      const memo = r.online[i] === 1 ? r.memos[i] : undefined;
      if (memo === undefined || !writeOnlineRow(w, memo, r, i, keys, this.views)) writeRow(w, r, i, keys);
    }
    this.written = end;
  }

  /** Writes the rows not written yet and returns the whole answer. */
  finish(r: ColumnarRead): Buffer {
    const n = r.entityIds.length;
    if (n === 0) {
      const header = r.views.map((v) => ({ name: v.name, version: 0, features: v.features }));
      return Buffer.from(
        '{"at":"' + new Date(r.atMs).toISOString() + '","views":' + JSON.stringify(header) + ',"results":[]}',
      );
    }
    this.write(r, n);
    this.w.bytes(END);
    const out = this.w.written();
    sizeHint = Math.max(4096, out.length + (out.length >> 3));
    return out;
  }
}

let sizeHint = 4096;

// The view lists answered, each kept once: a template made for the same list then compares equal by
// reference (no string comparison, nor a read of the template's copy, per row).
const viewLists = new Map<string, string>();

function interned(views: string): string {
  const known = viewLists.get(views);
  if (known !== undefined) return known;
  // A bounded set (lists beyond it still compare equal, only by content)
  if (viewLists.size < 256) viewLists.set(views, views);
  return views;
}

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

/** Writes an online row from its template; false when it cannot (the row is written otherwise). */
function writeOnlineRow(
  w: JsonWriter,
  memo: EncodingMemo,
  r: ColumnarRead,
  i: number,
  keys: readonly Buffer[],
  views: string,
): boolean {
  let t = memo.row;
  if (t === undefined || t.gen !== memo.gen || t.views !== views)
    t = memo.row = templateOf(r, i, keys, views, memo.gen);
  if (t.bytes === null) return false;
  if (patched(w, t, r)) return true;
  // A moving number has gained or lost a digit since the template's time: made again for this one.
  t = memo.row = templateOf(r, i, keys, views, memo.gen);
  return t.bytes !== null && patched(w, t, r);
}

/**
 * Copies the template to the end of the answer and rewrites its moving digits for r.atMs there (its
 * slots and time, copied after the row, are overwritten by what follows); false (nothing written) if a
 * number does not fit. (Given `r`, not the time: a time passed to a call is a new boxed number, one
 * per row to collect.)
 */
function patched(w: JsonWriter, t: RowTemplate, r: ColumnarRead): boolean {
  const bytes = t.bytes as Buffer;
  const n = t.length;
  const total = bytes.length;
  w.ensure(total);
  const b = w.buf;
  const v = w.view;
  const p = w.pos;
  b.set(bytes, p);
  const last = p + total - 8;
  const shift = r.atMs - v.getFloat64(last, true);
  // Beyond an epoch the columns would not be the cached ones; and the low digits stay int32 below it.
  if (!(shift > -1e9 && shift < 1e9)) return false;
  const d = shift | 0;
  if (d !== 0) {
    for (let s = p + n; s < last; s += 8) {
      const meta = v.getInt32(s, true);
      const digits = (meta >> 1) & 15;
      let x = (v.getInt32(s + 4, true) + d) | 0;
      if (x >= POW10[digits] || x < ((meta & 1) === 1 ? LEAST[digits] : 0)) return false;
      let e = p + (meta >> 5);
      let left = digits;
      // Four digits per (unaligned, little-endian) store, then pairs.
      for (; left >= 4; left -= 4) {
        const q = (x / 10_000) | 0;
        e -= 4;
        v.setInt32(e, QUADS[x - q * 10_000], true);
        x = q;
      }
      for (; left > 1; left -= 2) {
        const q = (x / 100) | 0;
        const pair = (x - q * 100) << 1;
        b[--e] = PAIRS[pair + 1];
        b[--e] = PAIRS[pair];
        x = q;
      }
      if (left === 1) b[--e] = 48 + x;
    }
  }
  w.pos = p + n;
  return true;
}

/** 10^n, and the least n-digit number (0 for one digit), for n ≤ 9. */
const POW10 = Array.from({ length: 10 }, (_, n) => 10 ** n);
const LEAST = POW10.map((p, n) => (n <= 1 ? 0 : p / 10));
/** Digits rewritten at most (a number's lowest): low + shift stays an int32. */
const LOW_DIGITS = 9;

/** Builds the encoding of row i as of r.atMs, marking where its moving numbers are. */
function templateOf(r: ColumnarRead, i: number, keys: readonly Buffer[], views: string, gen: number): RowTemplate {
  const w = scratch;
  w.pos = 0;
  // (end << 5 | digits << 1 | whole, low) per moving number
  const slots: number[] = [];
  let movable = true;
  // A moving number as of r.atMs: written, its place noted.
  const moving = (x: number) => {
    if (!(Number.isInteger(x) && x >= 0 && x <= 1e15) || w.pos >= 1 << 25) {
      movable = false;
      return;
    }
    w.ensure(16);
    w.pos = putInt(w.buf, w.pos, x);
    const all = digitsOf(x);
    const digits = Math.min(all, LOW_DIGITS);
    slots.push((w.pos << 5) | (digits << 1) | (digits === all ? 1 : 0), x % POW10[digits]);
  };
  const width = keys.length;
  const base = i * width;
  w.text(headOf(r, i));
  for (let j = 0; j < width; j++) {
    const c = r.columns[base + j];
    const d = r.atMs - c.asOf;
    w.bytes(keys[j]);
    w.byte(0x5b); // [
    let next = 0;
    for (let k = 0; k < c.values.length; k++) {
      if (k > 0) w.byte(0x2c);
      const v = c.values[k];
      if (c.shifted[next] !== k) w.text(valueJson(v));
      else {
        next++;
        if (v === null) w.bytes(NULL);
        else moving((v as number) + d);
      }
    }
    w.byte(0x5d); // ]
  }
  w.bytes(FRESHNESS);
  for (let j = 0; j < width; j++) {
    const c = r.columns[base + j];
    const d = r.atMs - c.asOf;
    w.bytes(keys[j]);
    w.byte(0x5b);
    for (let k = 0; k < c.freshness.length; k++) {
      if (k > 0) w.byte(0x2c);
      const f = c.freshness[k];
      if (f === null) w.bytes(NULL);
      else moving(f + d);
    }
    w.byte(0x5d);
  }
  w.bytes(END_ROW);
  const length = w.pos;
  if (!movable) return { gen, views, length, bytes: null };
  w.ensure(4 * slots.length + 8);
  for (const x of slots) {
    w.view.setInt32(w.pos, x, true);
    w.pos += 4;
  }
  w.view.setFloat64(w.pos, r.atMs, true);
  w.pos += 8;
  return { gen, views, length, bytes: Buffer.from(w.written()) };
}

/** Row i column by column (offline rows, and online ones a template cannot give). */
function writeRow(w: JsonWriter, r: ColumnarRead, i: number, keys: readonly Buffer[]): void {
  const width = keys.length;
  const base = i * width;
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
  w.bytes(END_ROW);
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
  w.ensure(2 + 25 * n);
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
  // Structured values (histogram counts, topK rankings) hold only finite numbers and strings.
  if (Array.isArray(v)) return JSON.stringify(v);
  return 'null';
}

const NULL = Buffer.from('null');
/** "0000" to "9999" as little-endian int32s: four ASCII digits in one store. */
const QUADS = Int32Array.from({ length: 10_000 }, (_, i) => {
  const t = String(i).padStart(4, '0');
  return t.charCodeAt(0) | (t.charCodeAt(1) << 8) | (t.charCodeAt(2) << 16) | (t.charCodeAt(3) << 24);
});
/** "00" to "99", the ASCII digits of every two-digit remainder. */
const PAIRS = Buffer.from(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''));

/** Decimal digits of a non-negative integer up to 1e15. */
function digitsOf(x: number): number {
  if (x < 1e5) return x < 10 ? 1 : x < 100 ? 2 : x < 1e3 ? 3 : x < 1e4 ? 4 : 5;
  if (x < 1e10) return x < 1e6 ? 6 : x < 1e7 ? 7 : x < 1e8 ? 8 : x < 1e9 ? 9 : 10;
  return x < 1e11 ? 11 : x < 1e12 ? 12 : x < 1e13 ? 13 : x < 1e14 ? 14 : x < 1e15 ? 15 : 16;
}

/** A growing UTF-8 buffer. */
/** A ByteSink with JSON's pieces: short copies, text, numbers, and a DataView for multi-byte stores. */
class JsonWriter extends ByteSink {
  private dv: DataView | undefined;

  /** buf as a DataView, made again after the buffer grew. */
  get view(): DataView {
    const buf = this.buf;
    let dv = this.dv;
    if (
      dv === undefined ||
      dv.buffer !== buf.buffer ||
      dv.byteOffset !== buf.byteOffset ||
      dv.byteLength !== buf.length
    )
      dv = this.dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
    return dv;
  }

  bytes(b: Buffer): void {
    const n = b.length;
    this.ensure(n);
    if (n > 32) {
      // TypedArray#set: a plain memcpy, without Buffer#copy's argument handling.
      this.buf.set(b, this.pos);
      this.pos += n;
      return;
    }
    // Most pieces are a few bytes (keys, separators): a loop beats a native call for them.
    const out = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) out[p++] = b[i];
    this.pos = p;
  }

  /** A string's UTF-8 in one native write (the texts here are whole JSON fragments, not short ids). */
  text(s: string): void {
    this.ensure(3 * s.length);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** JSON of a number or null; integers (times) two digits at a time. */
  number(x: number | null): void {
    if (x === null) return this.bytes(NULL);
    if (!Number.isInteger(x) || x < 0 || x > 1e15) return this.text(valueJson(x));
    this.ensure(16);
    this.pos = putInt(this.buf, this.pos, x);
  }
}

/** Where row templates are made (then copied out at their size). */
const scratch = new JsonWriter(Buffer.allocUnsafe(1 << 16));
