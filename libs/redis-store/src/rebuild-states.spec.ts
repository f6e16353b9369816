import type { EngagementEvent } from '@pulse/contracts';
import {
  defineFeatureView,
  FeatureRegistry,
  foldBatchIntoStore,
  rebuildStaleStates,
  replayEvents,
  stateIsCurrent,
  type OnlineStore,
  type StateUpdate,
} from '@pulse/features';
import { allAggregationsView, event } from '@pulse/features/testing';
import { testStores } from './testing/test-stores';

const registry = new FeatureRegistry([allAggregationsView]);
const older = new FeatureRegistry([
  defineFeatureView({
    ...allAggregationsView,
    features: allAggregationsView.features.filter((f) => f.name !== 'n_1d'),
  }),
]);
const { makers, cleanUp } = testStores();
afterAll(cleanUp);

/** Learner i's events: i + 1 lesson_sent a minute apart. */
const history = (i: number): EngagementEvent[] =>
  Array.from({ length: i + 1 }, (_, k) => event(`${i}-${k}`, k, 'lesson_sent', { entityId: `learner-${i}` }));
/** The log: entities in key order, each one's events in time order. */
const logOf = (learners: number[]) =>
  learners
    .flatMap(history)
    .sort((a, b) => (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : a.eventTimeMs - b.eventTimeMs));

/** `inner`, with `before` run ahead of every write: another writer racing the backfill. */
const racing = (
  inner: OnlineStore,
  before: (updates: ReadonlyMap<string, StateUpdate>) => Promise<void>,
): OnlineStore => ({
  getStates: (ids) => inner.getStates(ids),
  getVersions: (ids) => inner.getVersions(ids),
  deleteStates: (ids) => inner.deleteStates(ids),
  close: () => inner.close(),
  putStates: async (updates) => {
    await before(updates);
    return inner.putStates(updates);
  },
});

describe.each(makers)('rebuildStaleStates on %s', (_name, make) => {
  it('replaces the states written under other views by their replay, and leaves current and absent ones', async () => {
    const store = make();
    await foldBatchIntoStore(store, logOf([0, 1, 2, 3, 4]), older, { stateCache: false });
    await foldBatchIntoStore(store, logOf([5, 6]), registry, { stateCache: false });
    const progress: number[] = [];
    const r = await rebuildStaleStates({
      events: logOf([0, 1, 2, 3, 4, 5, 6, 7]),
      store,
      registry,
      chunkEntities: 2,
      onProgress: (p) => progress.push(p.entities),
    });
    expect(r).toEqual({ entities: 8, stale: 5, rebuilt: 5, skipped: 0 });
    expect(progress).toEqual([2, 4, 6, 8]);
    const stored = await store.getStates(Array.from({ length: 8 }, (_, i) => `learner-${i}`));
    expect([...stored.keys()].sort()).toEqual([
      'learner-0',
      'learner-1',
      'learner-2',
      'learner-3',
      'learner-4',
      'learner-5',
      'learner-6',
    ]);
    for (const i of [0, 1, 2, 3, 4])
      expect({ i, state: stored.get(`learner-${i}`)!.state, version: stored.get(`learner-${i}`)!.version }).toEqual({
        i,
        state: replayEvents(history(i), registry),
        version: 2,
      });
    for (const i of [5, 6])
      expect({
        i,
        version: stored.get(`learner-${i}`)!.version,
        current: stateIsCurrent(stored.get(`learner-${i}`)!.state, registry),
      }).toEqual({ i, version: 1, current: true });
    // Nothing left to do the second time.
    expect(await rebuildStaleStates({ events: logOf([0, 1, 2, 3, 4, 5, 6, 7]), store, registry })).toEqual({
      entities: 8,
      stale: 0,
      rebuilt: 0,
      skipped: 0,
    });
  });

  it('reads a chunk again when a writer got there first, and leaves what it made current', async () => {
    const inner = make();
    await foldBatchIntoStore(inner, logOf([0, 1]), older, { stateCache: false });
    let raced = false;
    // A service rebuilding learner-0 between the backfill's read and its write.
    const store = racing(inner, async () => {
      if (raced) return;
      raced = true;
      const s = (await inner.getStates(['learner-0'])).get('learner-0')!;
      await inner.putStates(
        new Map([['learner-0', { state: replayEvents(history(0), registry), expectedVersion: s.version }]]),
      );
    });
    expect(await rebuildStaleStates({ events: logOf([0, 1]), store, registry })).toEqual({
      entities: 2,
      stale: 2,
      rebuilt: 1,
      skipped: 1,
    });
    const stored = await inner.getStates(['learner-0', 'learner-1']);
    expect([stored.get('learner-0')!.version, stored.get('learner-1')!.version]).toEqual([2, 2]);
  });

  it('leaves a chunk to a writer that keeps changing it, after maxAttempts, and goes on', async () => {
    const inner = make();
    await foldBatchIntoStore(inner, logOf([0, 1, 2]), older, { stateCache: false });
    let puts = 0;
    // A copy still on the old views, writing learner-0 before every write of the backfill.
    const store = racing(inner, async (updates) => {
      if (!updates.has('learner-0')) return;
      puts++;
      const s = (await inner.getStates(['learner-0'])).get('learner-0')!;
      await inner.putStates(new Map([['learner-0', { state: s.state, expectedVersion: s.version }]]));
    });
    expect(
      await rebuildStaleStates({ events: logOf([0, 1, 2]), store, registry, chunkEntities: 2, maxAttempts: 3 }),
    ).toEqual({ entities: 3, stale: 3, rebuilt: 1, skipped: 2 });
    expect(puts).toBe(3);
    expect(stateIsCurrent((await inner.getStates(['learner-2'])).get('learner-2')!.state, registry)).toBe(true);
  });

  it('rejects events not grouped by entity, and bad options', async () => {
    const store = make();
    const scattered = [
      event('a', 1, 'lesson_sent', { entityId: 'x' }),
      event('b', 1, 'lesson_sent', { entityId: 'y' }),
      event('c', 2, 'lesson_sent', { entityId: 'x' }),
    ];
    await expect(rebuildStaleStates({ events: scattered, store, registry })).rejects.toThrow(
      /grouped by entity.*x came again/,
    );
    // Also when it comes back in a later chunk.
    await expect(rebuildStaleStates({ events: scattered, store, registry, chunkEntities: 1 })).rejects.toThrow(
      /x came again/,
    );
    await expect(rebuildStaleStates({ events: [], store, registry, chunkEntities: 0 })).rejects.toThrow(RangeError);
    await expect(rebuildStaleStates({ events: [], store, registry, maxAttempts: 1.5 })).rejects.toThrow(/maxAttempts/);
  });
});
