import { randomBytes } from 'node:crypto';

/**
 * A name no other test (or earlier run) uses: `<prefix>-<time>-<random>`, made of characters valid
 * in Kafka topic and group names and Redis keys.
 */
export function randomName(prefix = 'test'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Like randomName but a lower-case SQL identifier (letters, digits, underscores). */
export function randomIdentifier(prefix = 'test'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
}
