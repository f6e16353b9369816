import type { RejectionReason } from '../validation/event-rejection';

/**
 * A training request or model lifecycle record that cannot be decoded or does not hold together.
 * It carries the same reason codes and field path as an EventRejection (reason, field, message), so a
 * consumer can hand it to deadLetterFor as it is. contracts depends on nothing, so this mirrors
 * @pulse/core's ValidationError (a `field` naming the offending field) instead of extending it.
 */
export class ContractMessageError extends Error {
  override readonly name = 'ContractMessageError';
  /** The field in the TypeScript / JSON form (camelCase), e.g. "requestedAtMs" or "metrics.auc"; absent for undecodable bytes. */
  readonly field?: string;

  constructor(
    /** Which message was being read, e.g. "TrainingRequest". */
    readonly contract: string,
    readonly reason: RejectionReason,
    /** Starts with the field's name when there is one, e.g. "requestId is required". */
    message: string,
    field?: string,
  ) {
    super(`${contract}: ${message}`);
    if (field !== undefined) this.field = field;
  }
}
