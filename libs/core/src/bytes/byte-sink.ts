// Growable output buffers for hand-written binary encoders (the online store's state codec and Redis
// commands, the event log's binary COPY): many values appended to one buffer, and the buffers pooled
// from one batch to the next instead of allocated per value.

/**
 * A growable output buffer that encoded values are appended to (ValueWriter.encodeTo): one buffer for
 * many values (e.g. a whole batch of states, sent as one argument) instead of a Buffer per value.
 */
export class ByteSink {
  buf: Buffer;
  pos = 0;

  /** `initial`: a size in bytes, or a buffer to write into (e.g. a recycled one; replaced when too small). */
  constructor(initial: number | Buffer = 64 * 1024) {
    if (Buffer.isBuffer(initial)) {
      this.buf = initial;
      return;
    }
    if (!Number.isInteger(initial) || initial < 0)
      throw new RangeError(`initialBytes must be a non-negative integer, got ${initial}`);
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Room for `extra` more bytes after `pos` (the contents up to `pos` are kept). */
  ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** Appends `s` as UTF-8 and returns its byte length. */
  writeUtf8(s: string): number {
    // ASCII (the usual id) char by char: cheaper than a native write per short string.
    const n = s.length;
    this.ensure(n * 3);
    const buf = this.buf;
    const start = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = start + buf.write(s, start, 'utf8');
        return this.pos - start;
      }
      buf[start + i] = c;
    }
    this.pos = start + n;
    return n;
  }

  /** Appends one byte. */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Appends a non-negative safe integer in decimal ASCII. */
  writeDecimal(n: number): void {
    this.ensure(16);
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    const buf = this.buf;
    let p = (this.pos += digits);
    while (n >= 10) {
      const q = Math.floor(n / 10);
      buf[--p] = 0x30 + (n - q * 10);
      n = q;
    }
    buf[--p] = 0x30 + n;
  }

  /** Appends the bytes of `bytes`. */
  append(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** The bytes written so far (a view, valid until the sink is written again). */
  written(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Sinks kept for the next batch: taken for one batch, given back once nothing refers to their bytes. */
export class ByteSinkPool {
  private readonly idle: ByteSink[] = [];

  /** `maxIdle`: more than one is needed only while batches overlap. */
  constructor(
    private readonly initialBytes: number,
    private readonly maxIdle = 4,
  ) {
    if (!Number.isInteger(maxIdle) || maxIdle < 0)
      throw new RangeError(`maxIdle must be a non-negative integer, got ${maxIdle}`);
  }

  /** An empty sink. */
  take(): ByteSink {
    const sink = this.idle.pop() ?? new ByteSink(this.initialBytes);
    sink.pos = 0;
    return sink;
  }

  give(sink: ByteSink): void {
    if (this.idle.length < this.maxIdle) this.idle.push(sink);
  }
}
