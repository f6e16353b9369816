import { JSON_TEXT, LATIN1, SMALL_LIMIT, T_ARRAY, T_FALSE, T_FLOAT, T_INTSTR, T_MAP, T_NEGINT, T_NULL, T_OBJECT, T_STRING, T_TRUE, T_UINT, T_UINTS, UTF8 } from './state-codec';

/** Encodes values after a caller-written header; one writer serves any number of values (not concurrently). */
export class ValueWriter {
  private buf = Buffer.allocUnsafe(16 * 1024);
  private pos = 0;
  private stringList: string[] = [];

  /** `header` (ASCII) then `value`, as a new Buffer. */
  encode(header: string, value: unknown): Buffer {
    this.pos = 0;
    this.stringList = [];
    this.value(value);
    const body = this.pos;
    const list = this.stringList;

    // The usual case, every string ASCII (ids, keys, event types): written char by char, without
    // the joined copy the general case below makes; the first other character sends it there.
    let total = 0;
    for (let i = 0; i < list.length; i++) total += list[i].length;
    const ascii = Buffer.allocUnsafe(header.length + 20 + list.length * 5 + total + body);
    let p = ascii.write(header, 0, 'latin1');
    p = putVarint(ascii, p, list.length);
    ascii[p++] = LATIN1;
    p = putVarint(ascii, p, total);
    for (let i = 0; i < list.length; i++) p = putVarint(ascii, p, list[i].length);
    let allAscii = true;
    for (let i = 0; i < list.length && allAscii; i++) {
      const s = list[i];
      for (let k = 0; k < s.length; k++) {
        const c = s.charCodeAt(k);
        if (c >= 0x80) {
          allAscii = false;
          break;
        }
        ascii[p++] = c;
      }
    }
    if (allAscii) {
      p += this.buf.copy(ascii, p, 0, body);
      return ascii.subarray(0, p);
    }

    const joined = this.stringList.join('');
    const utf8Bytes = Buffer.byteLength(joined, 'utf8');
    // All ASCII when no character takes more than a byte. Lone surrogates have no UTF-8 form: such
    // strings travel as a JSON string literal (escaped).
    const form = utf8Bytes === joined.length ? LATIN1 : isWellFormed(joined) ? UTF8 : JSON_TEXT;
    const strings = form === JSON_TEXT ? JSON.stringify(joined) : joined;
    const encoding = form === LATIN1 ? 'latin1' : 'utf8';
    const stringBytes = form === JSON_TEXT ? Buffer.byteLength(strings, 'utf8') : utf8Bytes;
    // The body is written first (it decides the tables) and copied behind them here.
    const out = Buffer.allocUnsafe(header.length + 20 + this.stringList.length * 5 + stringBytes + body);
    p = out.write(header, 0, 'latin1');
    p = putVarint(out, p, this.stringList.length);
    out[p++] = form;
    p = putVarint(out, p, stringBytes);
    for (const s of this.stringList) p = putVarint(out, p, s.length);
    p += out.write(strings, p, encoding);
    p += this.buf.copy(out, p, 0, body);
    return out.subarray(0, p);
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
    for (const [k, v] of m) {
      this.value(k);
      this.value(v);
    }
  }

  private object(o: Record<string, unknown>): void {
    if (Object.getPrototypeOf(o) !== Object.prototype && Object.getPrototypeOf(o) !== null) throw new TypeError('cannot encode a class instance in an entity state');
    // Counted first, then written, with for-in rather than an Object.keys array per object.
    let count = 0;
    for (const key in o) if (Object.prototype.hasOwnProperty.call(o, key)) count++;
    this.ensure(10);
    this.buf[this.pos++] = T_OBJECT;
    this.varint(count);
    for (const key in o) {
      if (!Object.prototype.hasOwnProperty.call(o, key)) continue;
      this.string(key);
      this.value(o[key]);
    }
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
    this.varint(this.stringList.length);
    this.stringList.push(s);
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  private varint(n: number): void {
    this.pos = putVarint(this.buf, this.pos, n);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
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

/** No lone surrogate (String.prototype.isWellFormed, which this TypeScript target lacks). */
function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff) return false;
    const d = s.charCodeAt(i + 1);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
    i++;
  }
  return true;
}
