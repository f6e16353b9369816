import { isRetriable, ValidationError } from '@pulse/core';
import {
  defineFeatureView,
  emptyState,
  encodeStoredState,
  evaluate,
  evaluateOffline,
  FeatureRegistry,
  foldBatchIntoStore,
  foldEvents,
  InMemoryOnlineStore,
  replayEvents,
  StateCache,
  stateIsCurrent,
  StateVersionConflictError,
  type EntityState,
  type OnlineStore,
} from '@pulse/features';
import { allAggregationsRegistry, allAggregationsView, event, MIN, T0 } from '@pulse/features/testing';
import { testStores } from './testing/test-stores';
import { RedisOnlineStore } from './redis-online-store';

const registry = allAggregationsRegistry();
const { redis, makers, newPrefix, cleanUp } = testStores();
afterAll(cleanUp);

describe.each(makers)('%s', (_name, make) => {
  const s1 = foldOnce([event('a', 1, 'lesson_sent')]);
  const s2 = foldOnce([event('a', 1, 'lesson_sent'), event('b', 2, 'lesson_sent')]);

  it('returns nothing for unknown entities, then what was written with version 1, 2, …', async () => {
    const store = make();
    expect((await store.getStates(['x', 'y'])).size).toBe(0);
    await store.putStates(new Map([['x', { state: s1, expectedVersion: 0 }]]));
    const got = await store.getStates(['x', 'y']);
    expect([...got.keys()]).toEqual(['x']);
    expect(got.get('x')).toEqual({ state: s1, version: 1 });
    await store.putStates(new Map([['x', { state: s2, expectedVersion: 1 }]]));
    expect((await store.getStates(['x'])).get('x')).toEqual({ state: s2, version: 2 });
  });

  it('getVersions: the stored versions alone, absent entities left out', async () => {
    const store = make();
    expect((await store.getVersions(['x'])).size).toBe(0);
    await store.putStates(
      new Map([
        ['x', { state: s1, expectedVersion: 0 }],
        ['y', { state: s1, expectedVersion: 0 }],
      ]),
    );
    await store.putStates(new Map([['x', { state: s2, expectedVersion: 1 }]]));
    expect([...(await store.getVersions(['x', 'nobody', 'y']))]).toEqual([
      ['x', 2],
      ['y', 1],
    ]);
    const odd = ['ü,\n|1', '', 'x'];
    await store.putStates(new Map([[odd[0], { state: s1, expectedVersion: 0 }]]));
    expect([...(await store.getVersions(odd))]).toEqual([
      [odd[0], 1],
      ['x', 2],
    ]);
    await store.deleteStates(['x']);
    expect([...(await store.getVersions(['x', 'y']))]).toEqual([['y', 1]]);
  });

  it('rejects a stale version with a retriable conflict and writes nothing of the batch', async () => {
    const store = make();
    await store.putStates(new Map([['x', { state: s1, expectedVersion: 0 }]]));
    const attempt = store.putStates(
      new Map([
        ['y', { state: s1, expectedVersion: 0 }],
        ['x', { state: s2, expectedVersion: 0 }],
      ]),
    );
    await expect(attempt).rejects.toThrow(StateVersionConflictError);
    await attempt.catch((err) => {
      expect(isRetriable(err)).toBe(true);
      expect(err.entityIds).toEqual(['x']);
    });
    expect((await store.getStates(['x', 'y'])).get('x')?.version).toBe(1);
    expect((await store.getStates(['y'])).size).toBe(0);
  });

  it('sets the TTL on every write', async () => {
    const store = make(3600) as InMemoryOnlineStore | RedisOnlineStore;
    await store.putStates(new Map([['x', { state: s1, expectedVersion: 0 }]]));
    const ttl = (await store.ttlRemainingMs('x')) as number;
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    expect(await store.ttlRemainingMs('nobody')).toBeUndefined();
  });

  it('deletes states', async () => {
    const store = make();
    await store.putStates(new Map([['x', { state: s1, expectedVersion: 0 }]]));
    await store.deleteStates(['x']);
    expect((await store.getStates(['x'])).size).toBe(0);
  });

  it('foldBatchIntoStore: racing writers on the same entities lose no update (conflicts are retried)', async () => {
    const store = make();
    const batches = Array.from({ length: 6 }, (_, b) =>
      Array.from({ length: 20 }, (_, i) => event(`b${b}-${i}`, i, 'lesson_sent', { entityId: `u${i % 3}` })),
    );
    const results = await Promise.all(
      batches.map((batch) => foldBatchIntoStore(store, batch, registry, { maxAttempts: 50 })),
    );
    expect(results.reduce((s, r) => s + r.applied, 0)).toBe(120);
    expect(Math.max(...results.map((r) => r.attempts))).toBeGreaterThan(1); // the race did happen
    const states = await store.getStates(['u0', 'u1', 'u2']);
    for (const [id, { state }] of states) {
      const log = batches.flat().filter((e) => e.entityId === id);
      expect(evaluate(state, T0 + 30 * MIN, registry)).toEqual(evaluateOffline(log, T0 + 30 * MIN, registry));
      expect(evaluate(state, T0 + 30 * MIN, registry).all_aggs.values.n).toBe(log.length);
    }
  });

  it('foldBatchIntoStore: reports duplicates and too-late events, hands them to beforePut, and writes only changed states', async () => {
    const store = make();
    await foldBatchIntoStore(store, [event('a', 200, 'lesson_sent')], registry);
    const seen: string[][] = [];
    const late = event('late', 10, 'lesson_sent');
    const r = await foldBatchIntoStore(
      store,
      [event('a', 200, 'lesson_sent'), late, event('n', 5, 'lesson_sent', { entityId: 'other' })],
      registry,
      {
        beforePut: async (accepted, tooLate) =>
          void seen.push(
            accepted.map((e) => e.eventId),
            tooLate.map((e) => e.eventId),
          ),
      },
    );
    expect(r).toMatchObject({ events: 3, entities: 2, applied: 1, duplicates: 1, written: 1, attempts: 1 });
    expect(r.tooLate).toEqual([late]);
    expect(seen).toEqual([['a', 'n'], ['late']]);
  });

  it('foldBatchIntoStore: hands beforePut exact duplicates (same time) apart, and keeps re-sends at another time out of the log', async () => {
    const store = make();
    await foldBatchIntoStore(store, [event('a', 200, 'lesson_sent')], registry);
    const seen: string[][] = [];
    const batch = [
      event('a', 200, 'lesson_sent'),
      event('a', 201, 'lesson_sent'),
      event('b', 210, 'lesson_sent'),
      event('b', 210, 'lesson_sent'),
      event('b', 211, 'lesson_sent'),
    ];
    const r = await foldBatchIntoStore(store, batch, registry, {
      beforePut: async (accepted, tooLate, duplicates) =>
        void seen.push(...[accepted, tooLate, duplicates].map((l) => l.map((e) => `${e.eventId}@${e.eventTimeMs}`))),
    });
    expect(r).toMatchObject({ applied: 1, duplicates: 4 });
    expect(seen).toEqual([
      [`a@${T0 + 200 * MIN}`, `b@${T0 + 210 * MIN}`, `b@${T0 + 210 * MIN}`],
      [],
      [`a@${T0 + 200 * MIN}`, `b@${T0 + 210 * MIN}`],
    ]);
  });

  it('foldBatchIntoStore: takes the states it wrote last from its cache instead of reading the store', async () => {
    const inner = make();
    const read: string[] = [];
    const store: OnlineStore = {
      getStates: (ids) => (read.push(...ids), inner.getStates(ids)),
      getVersions: (ids) => inner.getVersions(ids),
      putStates: (u) => inner.putStates(u),
      deleteStates: (ids) => inner.deleteStates(ids),
      close: () => inner.close(),
    };
    const cache = new StateCache();
    await foldBatchIntoStore(
      store,
      [event('a', 1, 'lesson_sent'), event('b', 1, 'lesson_sent', { entityId: 'u2' })],
      registry,
      { stateCache: cache },
    );
    await foldBatchIntoStore(
      store,
      [event('c', 2, 'lesson_sent'), event('d', 2, 'lesson_sent', { entityId: 'u3' })],
      registry,
      { stateCache: cache },
    );
    expect(read).toEqual(['learner-1', 'u2', 'u3']);
    const r = await foldBatchIntoStore(store, [event('e', 3, 'lesson_sent'), event('f', 3, 'lesson_sent')], registry, {
      stateCache: false,
    });
    expect([r.applied, read.length]).toEqual([2, 4]);
    const log = [
      event('a', 1, 'lesson_sent'),
      event('c', 2, 'lesson_sent'),
      event('e', 3, 'lesson_sent'),
      event('f', 3, 'lesson_sent'),
    ];
    const { state, version } = (await inner.getStates(['learner-1'])).get('learner-1')!;
    expect(version).toBe(3);
    expect(state).toEqual(replayEvents(log, registry));
  });

  it('foldBatchIntoStore: a cache made stale by another writer costs a retry, never an update', async () => {
    const store = make();
    const [mine, theirs] = [new StateCache(), new StateCache()];
    await foldBatchIntoStore(store, [event('a', 1, 'lesson_sent')], registry, { stateCache: mine });
    await foldBatchIntoStore(store, [event('b', 2, 'lesson_sent')], registry, { stateCache: theirs });
    const r = await foldBatchIntoStore(store, [event('c', 3, 'lesson_sent')], registry, { stateCache: mine });
    expect(r.attempts).toBe(2);
    const { state } = (await store.getStates(['learner-1'])).get('learner-1')!;
    expect(evaluate(state, T0 + 3 * MIN, registry).all_aggs.values.n).toBe(3);
  });

  it('foldBatchIntoStore: a retry after a lost compare-and-set starts the contested entity from loadMissing (the log)', async () => {
    const store = make();
    const [mine, theirs] = [new StateCache(), new StateCache()];
    await foldBatchIntoStore(store, [event('a', 1, 'lesson_sent')], registry, { stateCache: mine });
    await foldBatchIntoStore(store, [event('b', 2, 'lesson_sent')], registry, { stateCache: theirs });
    // The log as the two writers left it, plus what the first attempt below logs before its write fails.
    const log = [event('a', 1, 'lesson_sent'), event('b', 2, 'lesson_sent'), event('c', 3, 'lesson_sent')];
    const asked: string[][] = [];
    const logged: string[][] = [];
    const r = await foldBatchIntoStore(store, [event('c', 3, 'lesson_sent')], registry, {
      stateCache: mine,
      beforePut: async (accepted) => void logged.push(accepted.map((e) => e.eventId)),
      loadMissing: async (ids) => (asked.push([...ids]), new Map(ids.map((id) => [id, replayEvents(log, registry)]))),
    });
    expect([r.attempts, asked, logged]).toEqual([2, [['learner-1']], [['c'], ['c']]]);
    const { state } = (await store.getStates(['learner-1'])).get('learner-1')!;
    expect(state).toEqual(replayEvents(log, registry));
  });

  it('foldBatchIntoStore: a batch whose fold throws logs nothing (beforePut is not called)', async () => {
    const store = make();
    const logged: string[] = [];
    // Classified fine (ids and watermark are there), but the fold finds no view states.
    const broken = async (ids: readonly string[]) =>
      new Map(ids.map((id) => [id, { w: null, d: new Map() } as unknown as EntityState]));
    const attempt = foldBatchIntoStore(store, [event('a', 1, 'lesson_sent')], registry, {
      beforePut: async (accepted) => void logged.push(...accepted.map((e) => e.eventId)),
      loadMissing: broken,
    });
    await expect(attempt).rejects.toThrow(TypeError);
    expect(logged).toEqual([]);
  });

  it('foldBatchIntoStore: rebuilds a state written under other view definitions through loadMissing, history kept', async () => {
    const store = make();
    const older = new FeatureRegistry([
      defineFeatureView({
        ...allAggregationsView,
        features: allAggregationsView.features.filter((f) => f.name !== 'n_1d'),
      }),
    ]);
    const history = [event('a', 1, 'lesson_sent')];
    await foldBatchIntoStore(store, history, older, { stateCache: false });
    const asked: string[][] = [];
    const loadMissing = async (ids: readonly string[]) => (
      asked.push([...ids]),
      new Map(ids.map((id) => [id, replayEvents(history, registry)]))
    );
    const r = await foldBatchIntoStore(store, [event('b', 2, 'lesson_sent')], registry, {
      stateCache: false,
      loadMissing,
    });
    expect([asked, r.initializedViews, r.rebuilt]).toEqual([[['learner-1']], [], 1]);
    const { state, version } = (await store.getStates(['learner-1'])).get('learner-1')!;
    expect([version, stateIsCurrent(state, registry)]).toEqual([2, true]);
    expect(evaluate(state, T0 + 3 * MIN, registry)).toEqual(
      evaluateOffline([...history, event('b', 2, 'lesson_sent')], T0 + 3 * MIN, registry),
    );
  });

  it('foldBatchIntoStore: writes a rebuilt state even when the batch applies nothing (a duplicate)', async () => {
    const store = make();
    const older = new FeatureRegistry([
      defineFeatureView({
        ...allAggregationsView,
        features: allAggregationsView.features.filter((f) => f.name !== 'n_1d'),
      }),
    ]);
    const history = [event('a', 1, 'lesson_sent')];
    await foldBatchIntoStore(store, history, older, { stateCache: false });
    const r = await foldBatchIntoStore(store, history, registry, {
      stateCache: false,
      loadMissing: async (ids) => new Map(ids.map((id) => [id, replayEvents(history, registry)])),
    });
    expect([r.applied, r.duplicates, r.written, r.rebuilt]).toEqual([0, 1, 1, 1]);
    const { state, version } = (await store.getStates(['learner-1'])).get('learner-1')!;
    expect([version, stateIsCurrent(state, registry)]).toEqual([2, true]);
  });

  it('foldBatchIntoStore: without loadMissing, a changed view of a stored state restarts (and is reported)', async () => {
    const store = make();
    const older = new FeatureRegistry([
      defineFeatureView({
        ...allAggregationsView,
        features: allAggregationsView.features.filter((f) => f.name !== 'n_1d'),
      }),
    ]);
    await foldBatchIntoStore(store, [event('a', 1, 'lesson_sent')], older, { stateCache: false });
    const r = await foldBatchIntoStore(store, [event('b', 2, 'lesson_sent')], registry, { stateCache: false });
    expect(r.initializedViews).toEqual([{ entityId: 'learner-1', views: ['all_aggs@3'] }]);
  });

  it('foldBatchIntoStore: starts a missing entity from loadMissing (e.g. rebuilt from the event log)', async () => {
    const store = make();
    const r = await foldBatchIntoStore(store, [event('b', 2, 'lesson_sent')], registry, {
      loadMissing: async (ids) => new Map(ids.map((id) => [id, s1])),
    });
    expect(r.applied).toBe(1);
    const { state } = (await store.getStates(['learner-1'])).get('learner-1')!;
    expect(evaluate(state, T0 + 3 * MIN, registry).all_aggs.values.n).toBe(2);
  });
});

describe('InMemoryOnlineStore', () => {
  it('expires states after the TTL on its clock', async () => {
    let now = 1_000;
    const store = new InMemoryOnlineStore({ ttlSeconds: 10, now: () => now });
    await store.putStates(new Map([['x', { state: emptyState(), expectedVersion: 0 }]]));
    now += 9_999;
    expect((await store.getStates(['x'])).size).toBe(1);
    now += 1;
    expect((await store.getStates(['x'])).size).toBe(0);
    await store.putStates(new Map([['x', { state: emptyState(), expectedVersion: 0 }]]));
  });
  it('rejects a bad TTL', () => {
    expect(() => new InMemoryOnlineStore({ ttlSeconds: -1 })).toThrow(RangeError);
  });
});

describe('RedisOnlineStore', () => {
  it('reports a corrupt value as a ValidationError naming the entity', async () => {
    const keyPrefix = newPrefix();
    const store = new RedisOnlineStore({ redis, keyPrefix });
    const good = encodeStoredState(foldOnce([event('a', 1, 'lesson_sent')]), 1);
    await redis.set(`${keyPrefix}cut`, good.subarray(0, good.length - 3));
    await redis.set(`${keyPrefix}other`, encodeStoredState({ v: 1 } as unknown as EntityState, 1));
    await expect(store.getStates(['cut'])).rejects.toThrow(ValidationError);
    await expect(store.getStates(['cut'])).rejects.toThrow(/online state of cut is corrupt/);
    await expect(store.getStates(['other'])).rejects.toThrow(/online state of other is not a Pulse entity state/);
    await redis.set(`${keyPrefix}garbage`, 'no version here');
    await redis.set(`${keyPrefix}zero`, '0|\x02');
    const versions = await store.getVersions(['cut', 'other', 'garbage', 'zero']);
    expect([versions.get('cut'), versions.get('other'), versions.get('garbage'), versions.get('zero')]).toEqual([
      1,
      1,
      NaN,
      NaN,
    ]);
  });
  it('reads a state in another format (e.g. the JSON of format 1) as absent, and a first write replaces it', async () => {
    const keyPrefix = newPrefix();
    const store = new RedisOnlineStore({ redis, keyPrefix });
    await redis.set(`${keyPrefix}old`, '7|{"v":1,"w":null,"d":{},"s":{}}');
    expect((await store.getStates(['old'])).size).toBe(0);
    expect((await store.getVersions(['old'])).size).toBe(0);
    const s1 = foldOnce([event('a', 1, 'lesson_sent')]);
    await store.putStates(new Map([['old', { state: s1, expectedVersion: 0 }]]));
    expect((await store.getStates(['old'])).get('old')).toEqual({ state: s1, version: 1 });
    await expect(store.putStates(new Map([['old', { state: s1, expectedVersion: 0 }]]))).rejects.toThrow(
      StateVersionConflictError,
    );
  });
  it('loads its write script again when Redis has forgotten it (SCRIPT FLUSH, restart)', async () => {
    const keyPrefix = newPrefix();
    const store = new RedisOnlineStore({ redis, keyPrefix });
    const s1 = foldOnce([event('a', 1, 'lesson_sent')]);
    await store.putStates(new Map([['x', { state: s1, expectedVersion: 0 }]]));
    await redis.script('FLUSH');
    await store.putStates(
      new Map([
        ['x', { state: s1, expectedVersion: 1 }],
        ['y', { state: s1, expectedVersion: 0 }],
      ]),
    );
    expect([...(await store.getVersions(['x', 'y']))]).toEqual([
      ['x', 2],
      ['y', 1],
    ]);
  });
  it("writes and reads under the client's own key prefix as well", async () => {
    const clientPrefix = newPrefix();
    const prefixed = redis.duplicate({ keyPrefix: clientPrefix });
    const store = new RedisOnlineStore({ redis: prefixed, keyPrefix: 'p:' });
    const s1 = foldOnce([event('a', 1, 'lesson_sent')]);
    await store.putStates(new Map([['x', { state: s1, expectedVersion: 0 }]]));
    expect((await store.getStates(['x'])).get('x')).toEqual({ state: s1, version: 1 });
    expect([...(await store.getVersions(['x']))]).toEqual([['x', 1]]);
    expect(await redis.exists(`${clientPrefix}p:x`)).toBe(1);
    await prefixed.quit();
  });
  it('wraps an unreachable Redis in a retriable ConnectionError', async () => {
    const store = new RedisOnlineStore({ url: 'redis://127.0.0.1:1', keyPrefix: 'x:' });
    const err = await store.getStates(['x']).catch((e) => e);
    expect(isRetriable(err)).toBe(true);
    expect(err.message).toMatch(/Redis: could not read entity states/);
    await store.close();
  });
});

function foldOnce(events: Parameters<typeof foldBatchIntoStore>[1]) {
  const s = emptyState();
  foldEvents(s, events, registry);
  return s;
}
