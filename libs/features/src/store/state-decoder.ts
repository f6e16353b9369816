import {
  CorruptEncodingError,
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

/** Decodes what ValueWriter.encode wrote after its header, from `buf[start …]` to the end. */
export function decodeValue(buf: Buffer, start: number): unknown {
  return new ValueReader(buf, start).read();
}

class ValueReader {
  private strings: string[] = [];

  constructor(
    private readonly buf: Buffer,
    private pos: number,
  ) {}

  read(): unknown {
    const count = this.count();
    const form = this.buf[this.pos++];
    if (form !== LATIN1 && form !== UTF8 && form !== JSON_TEXT) throw new CorruptEncodingError('bad string table');
    const bytes = this.count();
    const lengths = new Array<number>(count);
    let total = 0;
    for (let i = 0; i < count; i++) total += lengths[i] = this.varint();
    const text = this.text(bytes, form === LATIN1 ? 'latin1' : 'utf8');
    const all: unknown = form === JSON_TEXT ? JSON.parse(text) : text;
    if (typeof all !== 'string') throw new CorruptEncodingError('bad string table');
    if (all.length !== total) throw new CorruptEncodingError('string lengths do not add up');
    const strings = (this.strings = new Array<string>(count));
    for (let i = 0, p = 0; i < count; i++) {
      strings[i] = all.substring(p, p + lengths[i]);
      p += lengths[i];
    }
    const root = this.value();
    if (this.pos !== this.buf.length) throw new CorruptEncodingError('trailing bytes');
    return root;
  }

  private value(): unknown {
    if (this.pos >= this.buf.length) throw new CorruptEncodingError('truncated');
    const tag = this.buf[this.pos++];
    if (tag < SMALL_LIMIT) return tag;
    switch (tag) {
      case T_UINT:
        return this.varint();
      case T_NEGINT:
        return -this.varint();
      case T_FLOAT: {
        if (this.pos + 8 > this.buf.length) throw new CorruptEncodingError('truncated');
        const v = this.buf.readDoubleLE(this.pos);
        this.pos += 8;
        return v;
      }
      case T_STRING:
        return this.ref(this.strings, 'string');
      case T_INTSTR:
        return String(this.varint());
      case T_ARRAY: {
        const n = this.count();
        const a: unknown[] = new Array(n);
        const buf = this.buf;
        for (let i = 0; i < n; i++) {
          const b = buf[this.pos];
          if (b < SMALL_LIMIT) {
            this.pos++;
            a[i] = b;
          } else a[i] = this.value();
        }
        return a;
      }
      case T_OBJECT: {
        const n = this.count();
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = this.value();
          if (typeof key !== 'string') throw new CorruptEncodingError('object key is not a string');
          if (key === '__proto__')
            Object.defineProperty(o, key, {
              value: this.value(),
              enumerable: true,
              writable: true,
              configurable: true,
            });
          else o[key] = this.value();
        }
        return o;
      }
      case T_MAP: {
        const n = this.count();
        const m = new Map<unknown, unknown>();
        for (let i = 0; i < n; i++) {
          const key = this.value();
          m.set(key, this.value());
        }
        return m;
      }
      case T_UINTS: {
        const n = this.count();
        const a: number[] = new Array(n);
        const buf = this.buf;
        let p = this.pos;
        for (let i = 0; i < n; i++) {
          const b = buf[p];
          if (b < 0x80) {
            p++;
            a[i] = b;
          } else {
            this.pos = p;
            a[i] = this.varint();
            p = this.pos;
          }
        }
        this.pos = p;
        return a;
      }
      case T_TRUE:
        return true;
      case T_FALSE:
        return false;
      case T_NULL:
        return null;
      default:
        throw new CorruptEncodingError(`unknown tag 0x${tag.toString(16)}`);
    }
  }

  private ref(table: string[], what: string): string {
    const i = this.varint();
    if (i >= table.length) throw new CorruptEncodingError(`${what} #${i} not defined`);
    return table[i];
  }

  private text(bytes: number, encoding: 'utf8' | 'latin1'): string {
    const start = this.pos;
    this.pos += bytes;
    return this.buf.toString(encoding, start, this.pos);
  }

  /** A length: each counted item takes at least a byte, so a larger one is corrupt. */
  private count(): number {
    const n = this.varint();
    if (n > this.buf.length - this.pos)
      throw new CorruptEncodingError(`length ${n} exceeds the remaining ${this.buf.length - this.pos} bytes`);
    return n;
  }

  private varint(): number {
    const buf = this.buf;
    if (this.pos >= buf.length) throw new CorruptEncodingError('truncated');
    let b = buf[this.pos++];
    if (b < 0x80) return b;
    let n = b & 0x7f;
    let mul = 0x80;
    for (;;) {
      if (this.pos >= buf.length || mul > 2 ** 49) throw new CorruptEncodingError('bad varint');
      b = buf[this.pos++];
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 0x80;
    }
  }
}
