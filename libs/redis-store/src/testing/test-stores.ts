// The online stores the store specs run against (not exported from the barrel).
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { InMemoryOnlineStore, type OnlineStore } from '@pulse/features';
import { RedisOnlineStore } from '../redis-online-store';

/**
 * The in-memory store and the machine's Redis (REDIS_URL), each Redis store under a key prefix of its
 * own; `cleanUp` (for afterAll) deletes every key written under those prefixes and disconnects.
 */
export function testStores() {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  const prefixes: string[] = [];
  const newPrefix = (): string => {
    const prefix = `pulse-test:${randomUUID()}:`;
    prefixes.push(prefix);
    return prefix;
  };
  const makers: [string, (ttlSeconds?: number) => OnlineStore][] = [
    ['InMemoryOnlineStore', (ttlSeconds) => new InMemoryOnlineStore({ ttlSeconds })],
    ['RedisOnlineStore', (ttlSeconds) => new RedisOnlineStore({ redis, keyPrefix: newPrefix(), ttlSeconds })],
  ];
  const cleanUp = async (): Promise<void> => {
    for (const p of prefixes) {
      const keys = await redis.keys(`${p}*`);
      if (keys.length) await redis.del(...keys);
    }
    await redis.quit();
  };
  return { redis, makers, newPrefix, cleanUp };
}
