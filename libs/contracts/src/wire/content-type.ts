import type { WireFormat } from '../validation/event-rejection';

/** Name of the Kafka record header / HTTP header that says how a record's value is encoded. */
export const CONTENT_TYPE_HEADER = 'content-type';

export const ContentTypes = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
} as const;

const PROTOBUF_TYPES = new Set(['application/x-protobuf', 'application/protobuf', 'application/vnd.google.protobuf']);
const JSON_TYPES = new Set(['application/json']);
const OPEN_BRACE = 0x7b;

export type WireFormatResolution =
  { readonly ok: true; readonly format: WireFormat } | { readonly ok: false; readonly contentType: string };

const PROTOBUF: WireFormatResolution = { ok: true, format: 'protobuf' };
const JSON_FORMAT: WireFormatResolution = { ok: true, format: 'json' };

/**
 * Which format a record is in. A content-type header wins (parameters such as "; charset=utf-8" and
 * case are ignored). Without one, a value starting with "{" is JSON and anything else protobuf: an
 * EngagementEvent's protobuf encoding never starts with 0x7b (that tag would be field 15 as a
 * deprecated group), so the guess cannot confuse a valid event of one format for the other.
 */
export function resolveWireFormat(contentType: string | null | undefined, bytes: Uint8Array): WireFormatResolution {
  // What Pulse's own producers send, answered without taking the header apart.
  if (contentType === ContentTypes.protobuf) return PROTOBUF;
  if (contentType === ContentTypes.json) return JSON_FORMAT;
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType === '') return { ok: true, format: bytes.length > 0 && bytes[0] === OPEN_BRACE ? 'json' : 'protobuf' };
  if (PROTOBUF_TYPES.has(mediaType)) return { ok: true, format: 'protobuf' };
  if (JSON_TYPES.has(mediaType) || mediaType.endsWith('+json')) return { ok: true, format: 'json' };
  return { ok: false, contentType: contentType ?? '' };
}

export function contentTypeOf(format: WireFormat): string {
  return ContentTypes[format];
}
