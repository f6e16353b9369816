import type { EngagementEvent } from '../engagement-event/engagement-event';

/**
 * Stable reason codes for a rejected event (they appear in DLQ records, HTTP 400 bodies and the
 * rejected-by-reason metric, so never rename one).
 */
export const REJECTION_REASONS = [
  /** The bytes are not valid protobuf / JSON, or the content type is not supported. */
  'undecodable',
  /** A required field or a required attribute is absent (or empty). */
  'missing_field',
  /** A field or attribute has the wrong type (e.g. a string where a boolean is declared). */
  'wrong_type',
  /** event_type is not in the event-type catalog. */
  'unknown_event_type',
  /** A field, profile key or attribute that the contract / catalog does not declare. */
  'unknown_field',
  /** Right type, unacceptable value (out of range, not an allowed enum value, malformed time, too long). */
  'invalid_value',
  /** event_time is further ahead of the caller's "now" than the allowed clock skew. */
  'future_event_time',
  /**
   * Valid, but event_time (field event_time) is further behind the entity's newest event than the
   * allowed lateness, so the fold cannot apply it exactly. Given by ingest, not by validation.
   */
  'too_late',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface EventRejection {
  readonly reason: RejectionReason;
  /** Path of the offending field in snake_case JSON form, e.g. "event_time" or "attributes.is_correct". */
  readonly field?: string;
  readonly message: string;
}

export type WireFormat = 'protobuf' | 'json';

export type EventValidationResult =
  { readonly ok: true; readonly event: EngagementEvent } | { readonly ok: false; readonly rejection: EventRejection };

export type EventDecodeResult =
  | { readonly ok: true; readonly event: EngagementEvent; readonly format: WireFormat }
  | { readonly ok: false; readonly rejection: EventRejection; readonly format?: WireFormat };

export interface EventValidationOptions {
  /** "Now" for the future-time check, epoch ms. Default Date.now(). Replays pass their own clock. */
  readonly nowMs?: number;
  /** How far event_time may be ahead of nowMs. Default 5 minutes. */
  readonly maxFutureSkewMs?: number;
}

export const DEFAULT_MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

export function rejection(
  reason: RejectionReason,
  message: string,
  field?: string,
): { ok: false; rejection: EventRejection } {
  return { ok: false, rejection: field === undefined ? { reason, message } : { reason, field, message } };
}

/** The rejection of a valid event that arrived more than `allowedLatenessMs` behind its entity's newest event. */
export function tooLateRejection(allowedLatenessMs: number): EventRejection {
  return {
    reason: 'too_late',
    field: 'event_time',
    message: `event time is more than ${allowedLatenessMs} ms behind the entity's newest event; it cannot be applied exactly`,
  };
}
