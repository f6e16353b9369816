import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * RFC 4122 name-based UUID, version 5 (SHA-1 of the namespace's 16 bytes and the name's UTF-8), so
 * other languages reproduce it with their standard library (Python: uuid.uuid5(namespace, name)).
 * Equal inputs give equal ids; it identifies, it does not protect.
 */
export function nameBasedUuid(namespace: string, name: string): string {
  if (typeof namespace !== 'string' || !UUID.test(namespace))
    throw new TypeError(`namespace must be a UUID (8-4-4-4-12 hex digits), got ${String(namespace)}`);
  if (typeof name !== 'string') throw new TypeError(`name must be a string, got ${typeof name}`);
  const digest = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  digest[6] = (digest[6] & 0x0f) | 0x50; // version 5
  digest[8] = (digest[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
