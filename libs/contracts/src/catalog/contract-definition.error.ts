/**
 * A contract definition (an event-type catalog) is malformed. Thrown when the definition is built,
 * never while events flow. contracts depends on nothing, so this mirrors @pulse/core's DefinitionError
 * (same `definition` field and message shape) instead of extending it.
 */
export class ContractDefinitionError extends Error {
  override readonly name = 'ContractDefinitionError';

  constructor(
    /** Which definition is wrong, e.g. "event type catalog 'learning-engagement'". */
    readonly definition: string,
    message: string,
  ) {
    super(`${definition}: ${message}`);
  }
}
