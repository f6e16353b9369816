/**
 * RedisOnlineStore with watchVersions, against the real Redis: the local copy of the versions
 * answers getVersions once subscribed, follows other instances' writes and deletes through their
 * messages, notes its own writes at once, and is dropped when the subscription is interrupted.
 */
import { randomUUID } from 'node:crypto';
import { waitFor } from '@pulse/testing';
import Redis from 'ioredis';
import { emptyState, encodeStoredState, foldEvents } from '@pulse/features';
import { allAggregationsRegistry, event } from '@pulse/features/testing';
import { RedisOnlineStore } from './redis-online-store';

const registry = allAggregationsRegistry();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL, { lazyConnect: true });
const prefix = `pulse-test:${randomUUID()}:`;
const stores: RedisOnlineStore[] = [];
const state = emptyState();
foldEvents(state, [event('a', 1, 'lesson_sent')], registry);

function store(watchVersions: boolean): RedisOnlineStore {
  const s = new RedisOnlineStore({ redis, keyPrefix: prefix, watchVersions });
  stores.push(s);
  return s;
}

async function versionOf(s: RedisOnlineStore, id: string): Promise<number | undefined> {
  return (await s.getVersions([id])).get(id);
}

afterAll(async () => {
  for (const s of stores) await s.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('RedisOnlineStore watching versions', () => {
  const watcher = store(true);
  const writer = store(false);

  beforeAll(() => waitFor(() => watcher.watchingVersions, { timeoutMs: 10_000, message: 'version watch subscribed' }));

  it("follows another instance's writes and deletes through their messages", async () => {
    await writer.putStates(new Map([['x', { state, expectedVersion: 0 }]]));
    await waitFor(async () => (await versionOf(watcher, 'x')) === 1, { timeoutMs: 5_000, message: 'version 1 seen' });
    await writer.putStates(new Map([['x', { state, expectedVersion: 1 }]]));
    await waitFor(async () => (await versionOf(watcher, 'x')) === 2, { timeoutMs: 5_000, message: 'version 2 seen' });
    await writer.deleteStates(['x']);
    await waitFor(async () => (await versionOf(watcher, 'x')) === undefined, {
      timeoutMs: 5_000,
      message: 'delete seen',
    });
  });

  it('follows writes of entities whose ids need escaping or are not ASCII', async () => {
    const odd = ['q"uote', 'back\\slash', 'new\nline', 'ü-€-😀', ''];
    // known absent first (probed), so that only the write's message can tell the copy otherwise
    expect((await watcher.getVersions(odd)).size).toBe(0);
    await writer.putStates(new Map(odd.map((id) => [id, { state, expectedVersion: 0 }])));
    await waitFor(async () => (await watcher.getVersions(odd)).size === odd.length, {
      timeoutMs: 5_000,
      message: 'odd ids seen',
    });
    expect([...(await watcher.getVersions(odd))]).toEqual(odd.map((id) => [id, 1]));
    expect([...(await writer.getVersions(odd))]).toEqual(odd.map((id) => [id, 1]));
  });

  it('answers known entities from the local copy, without asking Redis', async () => {
    await writer.putStates(new Map([['y', { state, expectedVersion: 0 }]]));
    await waitFor(async () => (await versionOf(watcher, 'y')) === 1, { timeoutMs: 5_000, message: 'version 1 seen' });
    // a write that announces nothing (not a Pulse writer): Redis has version 7, the copy still 1
    await redis.set(`${prefix}y`, encodeStoredState(state, 7));
    expect(await versionOf(writer, 'y')).toBe(7);
    expect(await versionOf(watcher, 'y')).toBe(1);
  });

  it('reads its own writes at once', async () => {
    await watcher.putStates(new Map([['z', { state, expectedVersion: 0 }]]));
    expect(await versionOf(watcher, 'z')).toBe(1);
    await watcher.putStates(new Map([['z', { state, expectedVersion: 1 }]]));
    expect(await versionOf(watcher, 'z')).toBe(2);
  });

  it('drops the copy when the subscription is interrupted (messages may be lost), then asks Redis again', async () => {
    await writer.putStates(new Map([['w', { state, expectedVersion: 0 }]]));
    await waitFor(async () => (await versionOf(watcher, 'w')) === 1, { timeoutMs: 5_000, message: 'version 1 seen' });
    await redis.set(`${prefix}w`, encodeStoredState(state, 9));
    expect(await versionOf(watcher, 'w')).toBe(1);
    const clients = (await redis.client('LIST')) as string;
    const ids = clients
      .split('\n')
      .filter((l) => l.includes('name=pulse-version-watch') && l.includes('sub=1'))
      .map((l) => /id=(\d+)/.exec(l)?.[1])
      .filter((id): id is string => id !== undefined);
    expect(ids.length).toBeGreaterThan(0);
    // every watch connection of this Redis is cut (other suites' watches reconnect alike)
    for (const id of ids) await redis.client('KILL', 'ID', id);
    await waitFor(async () => watcher.watchingVersions && (await versionOf(watcher, 'w')) === 9, {
      timeoutMs: 10_000,
      message: 'copy dropped and rebuilt from Redis',
    });
  });
});
