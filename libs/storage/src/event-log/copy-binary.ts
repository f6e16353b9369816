import type { EngagementEvent } from '@pulse/contracts';
import type { ByteSink } from '@pulse/core';

/** PGCOPY signature, flags and header-extension length: the start of a binary COPY stream. */
const HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
/** Fields per row, in COPY_BINARY_COLUMNS order. */
const FIELDS = 8;

/** The columns copyBinaryRows writes, in its order. */
export const COPY_BINARY_COLUMNS =
  'entity_id, event_time_ms, event_id, event_type, channel, content_id, attributes, profile';

/**
 * Appends events to `sink` as a binary COPY stream (header, one tuple per event, trailer). Binary
 * rather than text: nothing to escape, no text of the whole chunk to build and convert, and the time
 * goes as an 8-byte integer; json columns take their text as is.
 */
export function copyBinaryRows(rows: readonly EngagementEvent[], sink: ByteSink): void {
  sink.append(HEADER);
  for (const e of rows) {
    int16(sink, FIELDS);
    text(sink, e.entityId);
    int64(sink, e.eventTimeMs);
    text(sink, e.eventId);
    text(sink, e.eventType);
    text(sink, e.channel);
    if (e.contentId == null) nullField(sink);
    else text(sink, e.contentId);
    text(sink, JSON.stringify(e.attributes));
    if (e.profile == null) nullField(sink);
    else text(sink, JSON.stringify(e.profile));
  }
  int16(sink, -1);
}

function int16(sink: ByteSink, v: number): void {
  sink.ensure(2);
  sink.pos = sink.buf.writeInt16BE(v, sink.pos);
}

function nullField(sink: ByteSink): void {
  sink.ensure(4);
  sink.pos = sink.buf.writeInt32BE(-1, sink.pos);
}

/** A safe integer as a big-endian int64 field (two 32-bit halves: no BigInt per value). */
function int64(sink: ByteSink, v: number): void {
  sink.ensure(12);
  const hi = Math.floor(v / 4294967296);
  let p = sink.buf.writeInt32BE(8, sink.pos);
  p = sink.buf.writeInt32BE(hi, p);
  sink.pos = sink.buf.writeUInt32BE(v - hi * 4294967296, p);
}

/** UTF-8 text after its byte length (written once the text is, into the 4 bytes held for it). */
function text(sink: ByteSink, s: string): void {
  sink.ensure(4);
  const at = sink.pos;
  sink.pos += 4;
  const bytes = sink.writeUtf8(s);
  sink.buf.writeInt32BE(bytes, at);
}
