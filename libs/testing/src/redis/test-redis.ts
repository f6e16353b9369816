import { randomName } from '../names/random-name';

/** Redis used by tests: PULSE_TEST_REDIS_URL, or the machine's Redis. */
export function testRedisUrl(): string {
  return process.env.PULSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A key prefix no other test uses, ending in ':' (e.g. `pulse-test-lx2k9-1a2b3c4d:`). */
export function randomRedisPrefix(prefix = 'pulse-test'): string {
  return `${randomName(prefix)}:`;
}
