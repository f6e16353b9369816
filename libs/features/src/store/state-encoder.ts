import { ByteSink } from '@pulse/core';
import {
  JSON_TEXT,
  LATIN1,
  SMALL_LIMIT,
  T_ARRAY,
  T_FALSE,
  T_FLOAT,
  T_INTSTR,
  T_MAP,
  T_NEGINT,
  T_NULL,
  T_OBJECT,
  T_STRING,
  T_TRUE,
  T_UINT,
  T_UINTS,
  UTF8,
} from './state-codec';

/**
 * Encodes values after a caller-written header; one writer serves any number of values (not
 * concurrently). Its own bytes (the sink it is) are the scratch each value is first written into: the
 * string table, known only once the value was walked, goes before it.
 */
export class ValueWriter extends ByteSink {
  constructor() {
    super(16 * 1024);
  }

  // The strings of the value being encoded: the first stringCount entries (the array keeps its
  // capacity from one value to the next; emptying it would free it, and growing it again was most of
  // what encoding allocated).
  private readonly strings: string[] = [];
  private stringCount = 0;
  private stringChars = 0;

  /** `header` (ASCII) then `value`, as a new Buffer. */
  encode(header: string, value: unknown): Buffer {
    this.body(value);
    const ascii = Buffer.allocUnsafe(this.asciiBound(header));
    const end = this.writeAscii(ascii, 0, header);
    if (end >= 0) return ascii.subarray(0, end);
    const table = this.generalTable();
    const out = Buffer.allocUnsafe(this.generalBound(header, table));
    return out.subarray(0, this.writeGeneral(out, 0, header, table));
  }

  /** `header` (ASCII) then `value`, appended to `sink`: the same bytes as encode() returns. */
  encodeTo(sink: ByteSink, header: string, value: unknown): void {
    this.body(value);
    sink.ensure(this.asciiBound(header));
    const end = this.writeAscii(sink.buf, sink.pos, header);
    if (end >= 0) {
      sink.pos = end;
      return;
    }
    const table = this.generalTable();
    sink.ensure(this.generalBound(header, table));
    sink.pos = this.writeGeneral(sink.buf, sink.pos, header, table);
  }

  /** Writes the value into the scratch buffer (its strings into the list): the tables depend on it. */
  private body(value: unknown): void {
    this.pos = 0;
    this.stringCount = 0;
    this.stringChars = 0;
    this.value(value);
  }

  private asciiBound(header: string): number {
    return header.length + 20 + this.stringCount * 5 + this.stringChars + this.pos;
  }

  /**
   * The usual case, every string ASCII (ids, keys, event types): written char by char, without the
   * joined copy the general case makes. Returns the end, or −1 at the first other character.
   */
  private writeAscii(out: Buffer, at: number, header: string): number {
    const list = this.strings;
    const count = this.stringCount;
    let p = at + out.write(header, at, 'latin1');
    p = putVarint(out, p, count);
    out[p++] = LATIN1;
    p = putVarint(out, p, this.stringChars);
    for (let i = 0; i < count; i++) p = putVarint(out, p, list[i].length);
    for (let i = 0; i < count; i++) {
      const s = list[i];
      for (let k = 0; k < s.length; k++) {
        const c = s.charCodeAt(k);
        if (c >= 0x80) return -1;
        out[p++] = c;
      }
    }
    return p + this.buf.copy(out, p, 0, this.pos);
  }

  private generalTable(): { form: number; strings: string; bytes: number } {
    const joined = this.strings.slice(0, this.stringCount).join('');
    const utf8Bytes = Buffer.byteLength(joined, 'utf8');
    // All ASCII when no character takes more than a byte. Lone surrogates have no UTF-8 form: such
    // strings travel as a JSON string literal (escaped).
    const form = utf8Bytes === joined.length ? LATIN1 : joined.isWellFormed() ? UTF8 : JSON_TEXT;
    if (form !== JSON_TEXT) return { form, strings: joined, bytes: utf8Bytes };
    const strings = JSON.stringify(joined);
    return { form, strings, bytes: Buffer.byteLength(strings, 'utf8') };
  }

  private generalBound(header: string, table: { bytes: number }): number {
    return header.length + 20 + this.stringCount * 5 + table.bytes + this.pos;
  }

  private writeGeneral(
    out: Buffer,
    at: number,
    header: string,
    table: { form: number; strings: string; bytes: number },
  ): number {
    let p = at + out.write(header, at, 'latin1');
    p = putVarint(out, p, this.stringCount);
    out[p++] = table.form;
    p = putVarint(out, p, table.bytes);
    for (let i = 0; i < this.stringCount; i++) p = putVarint(out, p, this.strings[i].length);
    p += out.write(table.strings, p, table.form === LATIN1 ? 'latin1' : 'utf8');
    // The body is written first (it decides the tables) and copied behind them here.
    return p + this.buf.copy(out, p, 0, this.pos);
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        return this.number(v);
      case 'string':
        return this.string(v);
      case 'boolean':
        return this.byte(v ? T_TRUE : T_FALSE);
      case 'object':
        if (v === null) return this.byte(T_NULL);
        if (Array.isArray(v)) return this.array(v);
        if (v instanceof Map) return this.map(v);
        return this.object(v as Record<string, unknown>);
      case 'undefined':
        return this.byte(T_NULL);
      default:
        throw new TypeError(`cannot encode a ${typeof v} in an entity state`);
    }
  }

  private array(a: unknown[]): void {
    if (this.uints(a)) return;
    this.ensure(10);
    this.buf[this.pos++] = T_ARRAY;
    this.varint(a.length);
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      // Fast path: most items are small counts and zeros.
      if (typeof x === 'number' && x >= 0 && x < SMALL_LIMIT && (x | 0) === x && !(x === 0 && 1 / x < 0)) {
        this.ensure(1);
        this.buf[this.pos++] = x;
      } else this.value(x);
    }
  }

  /**
   * Writes `a` as T_UINTS if every item is a non-negative safe integer (not −0), in one pass that is
   * undone at the first other item; false then.
   */
  private uints(a: unknown[]): boolean {
    const n = a.length;
    this.ensure(10 + n * 8);
    const buf = this.buf;
    const start = this.pos;
    buf[start] = T_UINTS;
    let p = putVarint(buf, start + 1, n);
    for (let i = 0; i < n; i++) {
      let x = a[i];
      if (typeof x !== 'number') return false;
      if (x < 0x80 && x >= 0 && (x | 0) === x) {
        if (x === 0 && 1 / x < 0) return false;
        buf[p++] = x;
      } else if (x < 0x80000000 && x >= 0 && (x | 0) === x) {
        while (x >= 0x80) {
          buf[p++] = (x & 0x7f) | 0x80;
          x >>>= 7;
        }
        buf[p++] = x;
      } else if (Number.isSafeInteger(x) && x > 0) p = putVarint(buf, p, x);
      else return false;
    }
    this.pos = p;
    return true;
  }

  private map(m: Map<unknown, unknown>): void {
    this.ensure(10);
    this.buf[this.pos++] = T_MAP;
    this.varint(m.size);
    // forEach with one callback for the writer's life: for-of allocated an [key, value] pair per entry.
    m.forEach(this.mapEntry);
  }

  private readonly mapEntry = (v: unknown, k: unknown): void => {
    this.value(k);
    this.value(v);
  };

  private object(o: Record<string, unknown>): void {
    if (Object.getPrototypeOf(o) !== Object.prototype && Object.getPrototypeOf(o) !== null)
      throw new TypeError('cannot encode a class instance in an entity state');
    // One for-in pass (no Object.keys array per object); the count, written before the entries, is
    // patched in after them: one byte held for it, the entries moved in the rare case it needs more.
    this.ensure(10);
    this.buf[this.pos++] = T_OBJECT;
    const at = this.pos++;
    let count = 0;
    for (const key in o) {
      if (!Object.prototype.hasOwnProperty.call(o, key)) continue;
      count++;
      this.string(key);
      this.value(o[key]);
    }
    if (count < 0x80) {
      this.buf[at] = count;
      return;
    }
    const end = this.pos;
    const extra = putVarint(Buffer.allocUnsafe(10), 0, count) - 1;
    this.ensure(extra);
    this.buf.copyWithin(at + 1 + extra, at + 1, end);
    putVarint(this.buf, at, count);
    this.pos = end + extra;
  }

  private number(v: number): void {
    this.ensure(10);
    if (Number.isSafeInteger(v) && !(v === 0 && 1 / v < 0)) {
      if (v >= 0 && v < SMALL_LIMIT) {
        this.buf[this.pos++] = v;
      } else if (v >= 0) {
        this.buf[this.pos++] = T_UINT;
        this.varint(v);
      } else {
        this.buf[this.pos++] = T_NEGINT;
        this.varint(-v);
      }
      return;
    }
    this.buf[this.pos++] = T_FLOAT;
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  private string(s: string): void {
    this.ensure(10);
    if (isIntString(s)) {
      this.buf[this.pos++] = T_INTSTR;
      this.varint(Number(s));
      return;
    }
    // Not deduplicated: repeats are few in a state, and a Map would cost more than it saves.
    this.buf[this.pos++] = T_STRING;
    this.varint(this.stringCount);
    this.strings[this.stringCount++] = s;
    this.stringChars += s.length;
  }

  private varint(n: number): void {
    this.pos = putVarint(this.buf, this.pos, n);
  }
}

/** LEB128 of a non-negative safe integer (up to 8 bytes); epoch milliseconds are common here. */
export function putVarint(buf: Buffer, p: number, n: number): number {
  if (n >= 0x80000000) {
    // Above 31 bits: the number as two 32-bit halves, shifted right 7 bits at a time with integer
    // operations (no floating-point remainder or division per byte).
    let lo = n >>> 0;
    let hi = (n - lo) / 4294967296;
    while (hi > 0) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    n = lo;
  }
  while (n >= 0x80) {
    buf[p++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[p++] = n;
  return p;
}

/** An integer string that round-trips through a number: digits only, no leading zero, below 10^15. */
function isIntString(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 15) return false;
  const c0 = s.charCodeAt(0);
  if (c0 < 0x30 || c0 > 0x39 || (c0 === 0x30 && n > 1)) return false;
  for (let i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
