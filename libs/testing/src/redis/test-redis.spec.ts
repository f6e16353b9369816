import { randomRedisPrefix, testRedisUrl } from './test-redis';

describe('redis test helpers', () => {
  it('makes distinct prefixes ending in a colon', () => {
    const a = randomRedisPrefix();
    expect(a).toMatch(/^pulse-test-[a-z0-9]+-[0-9a-f]{8}:$/);
    expect(randomRedisPrefix()).not.toBe(a);
  });
  it('points at the local Redis unless overridden', () => expect(testRedisUrl()).toMatch(/^redis:\/\//));
});
