import { randomUUID } from 'node:crypto';
import { nameBasedUuid } from '@pulse/contracts';

/** The namespace of event ids made from idempotency keys (a fixed random UUID). */
export const EVENT_ID_NAMESPACE = '628d7a09-3985-4de4-b5b4-4b0ecc105675';

/**
 * The event id PulseProducer gives an event that has none: from the caller's idempotency key, a UUID
 * v5 in EVENT_ID_NAMESPACE (the same key always gives the same id, so a retried publish is deduplicated
 * downstream; Python: uuid.uuid5(uuid.UUID(EVENT_ID_NAMESPACE), key)); without a key, a random UUID v4
 * (a retry then publishes a second event).
 */
export function eventIdFor(idempotencyKey?: string): string {
  return idempotencyKey === undefined ? randomUUID() : nameBasedUuid(EVENT_ID_NAMESPACE, idempotencyKey);
}
