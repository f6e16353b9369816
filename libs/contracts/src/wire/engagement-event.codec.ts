import { toBinary } from '@bufbuild/protobuf';
import type { EventTypeCatalog } from '../catalog/event-type-catalog';
import type { EngagementEvent } from '../engagement-event/engagement-event';
import { EngagementEventSchema } from '../gen/pulse/v1/engagement_event_pb';
import type {
  EventDecodeResult,
  EventValidationOptions,
  EventValidationResult,
  WireFormat,
} from '../validation/event-rejection';
import { rejection } from '../validation/event-rejection';
import { validateEventCandidate } from '../validation/validate-engagement-event';
import { contentTypeOf, resolveWireFormat } from './content-type';
import { engagementEventToJson, jsonToCandidate } from './engagement-event.json';
import { engagementEventToProto } from './engagement-event.proto';
import { readEngagementEventCandidate } from './engagement-event.reader';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/**
 * Validates one parsed JSON value (an element of POST /v1/events' array, or a decoded JSON record).
 * Same verdicts as decodeEngagementEvent, because both end in validateEventCandidate.
 */
export function validateEngagementEventJson(
  obj: unknown,
  catalog: EventTypeCatalog,
  options: EventValidationOptions = {},
): EventValidationResult {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return rejection(
      'wrong_type',
      `an engagement event must be a JSON object, got ${obj === null ? 'null' : Array.isArray(obj) ? 'array' : typeof obj}`,
    );
  }
  return validateEventCandidate(jsonToCandidate(obj as Record<string, unknown>), catalog, options);
}

/**
 * Decodes and validates one record value. `contentType` is the record's content-type header (absent:
 * sniffed, see resolveWireFormat). Never throws for bad input: every problem is a rejection with a
 * stable reason code for the DLQ.
 */
export function decodeEngagementEvent(
  bytes: Uint8Array,
  contentType: string | null | undefined,
  catalog: EventTypeCatalog,
  options: EventValidationOptions = {},
): EventDecodeResult {
  const resolved = resolveWireFormat(contentType, bytes);
  if (!resolved.ok) {
    return rejection(
      'undecodable',
      `unsupported content type '${resolved.contentType}' (expected application/x-protobuf or application/json)`,
    );
  }
  const format = resolved.format;
  let result: EventValidationResult;
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(utf8.decode(bytes));
    } catch (err) {
      return { ...rejection('undecodable', `value is not valid UTF-8 JSON: ${(err as Error).message}`), format };
    }
    result = validateEngagementEventJson(parsed, catalog, options);
  } else {
    // Same candidate (and same throws) as protoToCandidate(fromBinary(EngagementEventSchema, bytes)), without its cost.
    let candidate;
    try {
      candidate = readEngagementEventCandidate(bytes);
    } catch (err) {
      return {
        ...rejection('undecodable', `value is not a valid protobuf EngagementEvent: ${(err as Error).message}`),
        format,
      };
    }
    result = validateEventCandidate(candidate, catalog, options);
  }
  // Not a spread: this runs for every consumed event.
  return result.ok ? { ok: true, event: result.event, format } : { ok: false, rejection: result.rejection, format };
}

export interface EncodedEvent {
  readonly bytes: Uint8Array;
  /** The value for the content-type header. */
  readonly contentType: string;
}

/** Encodes for publishing. Faithful, not validating: the consumer is where events are judged. */
export function encodeEngagementEvent(event: EngagementEvent, format: WireFormat = 'protobuf'): EncodedEvent {
  const bytes =
    format === 'json'
      ? utf8Encoder.encode(JSON.stringify(engagementEventToJson(event)))
      : toBinary(EngagementEventSchema, engagementEventToProto(event));
  return { bytes, contentType: contentTypeOf(format) };
}
