import type { EngagementEvent } from '@pulse/contracts';

/** PGCOPY signature, flags and header-extension length: the start of a binary COPY stream. */
const HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
/** Fields per row, in COPY_BINARY_COLUMNS order. */
const FIELDS = 8;

/** The columns copyBinaryRows writes, in its order. */
export const COPY_BINARY_COLUMNS = 'entity_id, event_time_ms, event_id, event_type, channel, content_id, attributes, profile';

/**
 * Events as a binary COPY stream (header, one tuple per event, trailer), written into `buffer`, or a
 * larger one when it is too small: `data` is the stream, a view of `buffer`, the one written into. Binary rather than text: nothing to escape,
 * no text of the whole chunk to build and convert, and the time goes as an 8-byte integer; json
 * columns take their text as is.
 */
export function copyBinaryRows(rows: readonly EngagementEvent[], buffer: Buffer): { data: Buffer; buffer: Buffer } {
  const w = new RowWriter(buffer);
  w.bytes(HEADER);
  for (const e of rows) {
    w.int16(FIELDS);
    w.text(e.entityId);
    w.int64(e.eventTimeMs);
    w.text(e.eventId);
    w.text(e.eventType);
    w.text(e.channel);
    if (e.contentId == null) w.nullField();
    else w.text(e.contentId);
    w.text(JSON.stringify(e.attributes));
    if (e.profile == null) w.nullField();
    else w.text(JSON.stringify(e.profile));
  }
  w.int16(-1);
  return { data: w.buf.subarray(0, w.pos), buffer: w.buf };
}

class RowWriter {
  pos = 0;

  constructor(public buf: Buffer) {}

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  bytes(b: Buffer): void {
    this.room(b.length);
    this.pos += b.copy(this.buf, this.pos);
  }

  int16(v: number): void {
    this.room(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }

  nullField(): void {
    this.room(4);
    this.pos = this.buf.writeInt32BE(-1, this.pos);
  }

  /** A safe integer as a big-endian int64 field (two 32-bit halves: no BigInt per value). */
  int64(v: number): void {
    this.room(12);
    const hi = Math.floor(v / 4294967296);
    this.pos = this.buf.writeInt32BE(8, this.pos);
    this.pos = this.buf.writeInt32BE(hi, this.pos);
    this.pos = this.buf.writeUInt32BE(v - hi * 4294967296, this.pos);
  }

  /** UTF-8 text after its byte length; ASCII (the usual id) char by char, anything else natively. */
  text(s: string): void {
    const n = s.length;
    this.room(4 + n * 3);
    const buf = this.buf;
    const start = this.pos + 4;
    let k = 0;
    for (; k < n; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80) break;
      buf[start + k] = c;
    }
    const bytes = k === n ? n : k + buf.write(s.slice(k), start + k, 'utf8');
    buf.writeInt32BE(bytes, this.pos);
    this.pos = start + bytes;
  }
}
