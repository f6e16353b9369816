import { ValidationError } from '@pulse/core';
import type { RejectionReason } from '@pulse/contracts';

/**
 * An event PulseProducer.publish refused before sending anything: the verdict the platform's ingest
 * would give it (same reason codes, field in the wire's snake_case, e.g. "event_time").
 */
export class InvalidEventError extends ValidationError {
  constructor(
    /** Position of the event in the published list (0 for a single event). */
    readonly index: number,
    readonly reason: RejectionReason,
    message: string,
    field?: string,
  ) {
    super(`event ${index}: ${message}`, { field });
  }
}
