import type { EngagementEvent } from '@pulse/contracts';
import {
  createFeatureRegistry,
  defineFeatureView,
  evaluate,
  evaluateOffline,
  foldBatchIntoStore,
  InMemoryOnlineStore,
  learningEngagementRegistry,
  StateCache,
  type FeatureRegistry,
  type FeatureValues,
  type OnlineStore,
} from '../index';
import { createSimulation } from '@pulse/simulator';
import { allAggregationsRegistry } from '../testing/test-views';
import { BatchResponseWriter, writeBatchResponse } from './batch-response.writer';
import { EPOCH_MS } from './evaluated-views.cache';
import { FeatureReader } from './feature-reader';
import type { EntityFeatures, EventHistorySource, ReadPath } from './read-answer.types';

// The read path's caches must never change an answer: every read below is compared with evaluate() on
// the state stored at that moment (or the offline replay). The event log is a stand-in answering from
// the events folded so far; the store, caches and registry are the real ones.
const DAY = 86_400_000;
const START = Date.UTC(2024, 2, 4);

function simulated(learners: number, days: number): EngagementEvent[] {
  return [...createSimulation({ seed: 7, learners, days, startTimeMs: START })];
}

interface Counting extends OnlineStore {
  fetched: string[];
}

function setUp(registry: FeatureRegistry, options: { cache?: boolean } = {}) {
  const inner = new InMemoryOnlineStore({ ttlSeconds: 0 });
  const fetched: string[] = [];
  const store: Counting = {
    fetched,
    getStates: (ids) => (fetched.push(...ids), inner.getStates(ids)),
    getVersions: (ids) => inner.getVersions(ids),
    putStates: (u) => inner.putStates(u),
    deleteStates: (ids) => inner.deleteStates(ids),
    close: () => inner.close(),
  };
  const logged: EngagementEvent[] = [];
  // In the log's key order (entity, time, id), as the repository streams.
  const byKey = (a: EngagementEvent, b: EngagementEvent) =>
    a.entityId < b.entityId
      ? -1
      : a.entityId > b.entityId
        ? 1
        : a.eventTimeMs - b.eventTimeMs || (a.eventId < b.eventId ? -1 : 1);
  const eventLog = {
    streamForEntities: async function* (q: { entityIds: readonly string[]; untilMs: number }) {
      yield* logged.filter((e) => q.entityIds.includes(e.entityId) && e.eventTimeMs <= q.untilMs).sort(byKey);
    },
  } satisfies EventHistorySource;
  const cache = options.cache === false ? undefined : new StateCache({ maxEntries: 1000 });
  const reads: Record<ReadPath, number> = { online: 0, offline: 0 };
  const service = new FeatureReader({
    store,
    events: eventLog,
    registry,
    states: cache,
    evaluatedEntries: 1000,
    onRead: (path, n) => void (reads[path] += n),
  });
  const ingest = async (
    events: readonly EngagementEvent[],
    stateCache: StateCache | false | undefined = cache ?? false,
  ) => {
    await foldBatchIntoStore(store, events, registry, {
      stateCache,
      beforePut: async (accepted) => void logged.push(...accepted),
    });
  };
  return { store, service, ingest, cache, logged, reads };
}

/**
 * What a read must answer: evaluate() on the stored state, or the replay before its watermark, with
 * the watermark of what it evaluated (the replay's: the newest event up to atMs).
 */
async function expected(
  store: OnlineStore,
  registry: FeatureRegistry,
  logged: readonly EngagementEvent[],
  ids: readonly string[],
  atMs: number,
  views?: string[],
): Promise<EntityFeatures[]> {
  const states = await store.getStates(ids);
  return ids.map((entityId) => {
    const s = states.get(entityId)?.state;
    const online = s !== undefined && (s.w === null || atMs >= s.w);
    const events = logged.filter((e) => e.entityId === entityId && e.eventTimeMs <= atMs);
    const w = online ? s.w : events.length > 0 ? Math.max(...events.map((e) => e.eventTimeMs)) : null;
    return {
      entityId,
      at: new Date(atMs).toISOString(),
      path: online ? 'online' : 'offline',
      watermark: w === null ? null : new Date(w).toISOString(),
      views: online ? evaluate(s, atMs, registry, views) : evaluateOffline(events, atMs, registry, views),
    };
  });
}

/** The columnar batch answer as the keyed rows give it (the former object-building implementation). */
function batchOf(atMs: number, rows: readonly EntityFeatures[]): string {
  const first: FeatureValues = rows[0].views;
  const views = Object.entries(first).map(([name, v]) => ({
    name,
    version: v.version,
    features: Object.keys(v.values),
  }));
  const results = rows.map((r) => ({
    entityId: r.entityId,
    path: r.path,
    watermark: r.watermark,
    values: Object.fromEntries(views.map((h) => [h.name, h.features.map((f) => r.views[h.name].values[f])])),
    freshness: Object.fromEntries(views.map((h) => [h.name, h.features.map((f) => r.views[h.name].freshness[f])])),
  }));
  return JSON.stringify({ at: new Date(atMs).toISOString(), views, results });
}

describe('FeatureReader', () => {
  const registry = learningEngagementRegistry();

  it('answers exactly what evaluate() gives, across epochs, new events and cache states', async () => {
    const events = simulated(30, 12);
    const split = START + 10 * DAY;
    const { store, service, ingest, logged } = setUp(registry);
    await ingest(events.filter((e) => e.eventTimeMs < split));
    const ids = [...new Set(events.map((e) => e.entityId))];
    const later = events.filter((e) => e.eventTimeMs >= split);
    // As-of times inside one epoch, at its edges, in the next ones, and days later; new events in between.
    const base = Math.ceil((split + 2 * DAY) / EPOCH_MS) * EPOCH_MS;
    const times = [
      base + 1000,
      base + 2000,
      base + EPOCH_MS - 1,
      base + EPOCH_MS,
      base + 1,
      base + 7 * EPOCH_MS + 13,
      base + DAY + 5,
      split - DAY,
    ];
    for (let round = 0; round < times.length; round++) {
      const at = times[round];
      const chunk = later.slice((round * later.length) / times.length, ((round + 1) * later.length) / times.length);
      if (round % 2 === 1) await ingest(chunk);
      else if (chunk.length > 0) await ingest(chunk, new StateCache()); // another writer: this service's cache goes stale
      const want = await expected(store, registry, logged, ids, at);
      expect(await service.read(ids, at)).toEqual(want);
      expect(writeBatchResponse(await service.readColumns(ids, at)).toString()).toBe(batchOf(at, want));
      const some = ['learner_temporal', 'learner_behaviour'];
      expect(await service.read(ids.slice(0, 5), at + 1, some)).toEqual(
        await expected(store, registry, logged, ids.slice(0, 5), at + 1, some),
      );
      // The encodings kept per entity follow the views asked for.
      const batchOfSome = async (t: number) => batchOf(t, await expected(store, registry, logged, ids, t, some));
      expect(writeBatchResponse(await service.readColumns(ids, at + 2, some)).toString()).toBe(
        await batchOfSome(at + 2),
      );
      expect(writeBatchResponse(await service.readColumns(ids, at + 3)).toString()).toBe(
        batchOf(at + 3, await expected(store, registry, logged, ids, at + 3)),
      );
      expect(writeBatchResponse(await service.readColumns(ids, at + 4, some)).toString()).toBe(
        await batchOfSome(at + 4),
      );
    }
  });

  it('asks the store only for versions once it holds the current states, and fetches only what changed', async () => {
    const events = simulated(10, 6);
    const { store, service, ingest } = setUp(registry);
    await ingest(events);
    store.fetched.length = 0; // the ingest's own reads
    const ids = [...new Set(events.map((e) => e.entityId))];
    const at = START + 7 * DAY;
    await service.read(ids, at); // states written by this service's ingest: nothing to fetch
    expect(store.fetched).toEqual([]);
    const other = { ...events[0], eventId: 'x-1', eventTimeMs: START + 6 * DAY };
    await ingest([other], new StateCache()); // written elsewhere: its cached state is stale
    store.fetched.length = 0;
    await service.read(ids, at + 1);
    await service.read(ids, at + 2);
    expect(store.fetched).toEqual([other.entityId]);
  });

  it('reads without a cache, and answers unknown entities and earlier times through the replay', async () => {
    const events = simulated(5, 4);
    const { store, service, ingest, logged, reads } = setUp(registry, { cache: false });
    await ingest(events);
    const learners = [...new Set(events.map((e) => e.entityId))];
    // Repeats and an unknown entity mixed in, out of key order: each position gets its entity's answer.
    const ids = [...learners, 'nobody', ...[...learners].reverse()];
    for (const at of [START + 5 * DAY, START + 2 * DAY])
      expect(await service.read(ids, at)).toEqual(await expected(store, registry, logged, ids, at));
    expect((await service.read(['nobody'], START)).map((r) => [r.path, r.watermark])).toEqual([['offline', null]]);
    // Told per path: the later time online but for the unknown entity, the earlier one all replayed.
    expect(reads).toEqual({ online: 2 * learners.length, offline: 1 + ids.length + 1 });
  });

  it("reports an offline answer's watermark as of its time, not the newer state's, single and batch", async () => {
    const events = simulated(3, 4);
    const { service, ingest } = setUp(registry);
    await ingest(events);
    const learner = events[0].entityId;
    const times = events.filter((e) => e.entityId === learner).map((e) => e.eventTimeMs);
    // Between two of the learner's events, well before its newest.
    const at = times[Math.floor(times.length / 2)] + 1;
    const asOf = new Date(Math.max(...times.filter((t) => t <= at))).toISOString();
    expect(asOf < new Date(Math.max(...times)).toISOString()).toBe(true);
    const [single] = await service.read([learner], at);
    expect([single.path, single.watermark]).toEqual(['offline', asOf]);
    const batch = JSON.parse(writeBatchResponse(await service.readColumns([learner, learner], at)).toString());
    expect(batch.results.map((r: EntityFeatures) => [r.path, r.watermark])).toEqual([
      ['offline', asOf],
      ['offline', asOf],
    ]);
    // Before the learner's first event: nothing replayed, no watermark.
    expect((await service.read([learner], times[0] - 1)).map((r) => [r.path, r.watermark])).toEqual([
      ['offline', null],
    ]);
  });

  it('answers an id the log hands back altered (a lone surrogate comes back as U+FFFD) as one without events', async () => {
    const odd = 'learner-\ud800';
    const altered = { ...simulated(1, 1)[0], entityId: 'learner-\ufffd' };
    const eventLog = {
      streamForEntities: async function* () {
        yield altered;
      },
    } as unknown as EventHistorySource;
    const service = new FeatureReader({ store: new InMemoryOnlineStore(), events: eventLog, registry });
    const rows = await service.read([odd, 'nobody'], START + DAY);
    expect(rows.map((r) => [r.entityId, r.path, r.watermark])).toEqual([
      [odd, 'offline', null],
      ['nobody', 'offline', null],
    ]);
  });

  it('answers a large batch in version chunks, rows handed over in order as they become final', async () => {
    const events = simulated(320, 2);
    const { store, service, ingest, logged } = setUp(registry);
    const split = START + DAY;
    await ingest(events.filter((e) => e.eventTimeMs < split));
    // Entities fed again by another writer (their cached states go stale: fetched), then unknown ones
    // and an as-of time before some watermarks (answered by the replay, after the online rows).
    await ingest(
      events.filter((e) => e.eventTimeMs >= split && e.entityId.endsWith('7')),
      new StateCache(),
    );
    const known = [...new Set(events.map((e) => e.entityId))];
    expect(known.length).toBeGreaterThan(300);
    const ids = [...known.slice(0, 140), 'nobody-1', ...known.slice(140), 'nobody-2'];
    // The answers' arrays are handed back and reused by the next batch of the same size, whose offline
    // rows are elsewhere (reversed ids) or which asks an earlier time.
    const reversed = [...ids].reverse();
    for (const [at, asked] of [
      [START + 3 * DAY, ids],
      [START + DAY + 3_600_000, ids],
      [START + 3 * DAY + 1, reversed],
    ] as const) {
      const handed: number[] = [];
      const out = new BatchResponseWriter();
      const r = await service.readColumns(asked, at, undefined, (read, end) => {
        handed.push(end);
        out.write(read, end);
      });
      // One call per chunk of versions, never going back; never past an entity still to be replayed.
      expect(handed.length).toBe(Math.ceil(asked.length / 250));
      expect(handed).toEqual([...handed].sort((x, y) => x - y));
      expect(handed[0]).toBeLessThanOrEqual(asked.indexOf('nobody-1'));
      expect(out.finish(r).toString()).toBe(batchOf(at, await expected(store, registry, logged, asked, at)));
      service.recycle(r);
    }
  });

  it("gives a recycled answer's arrays to one batch only, even if handed back twice", async () => {
    const events = simulated(40, 2);
    const { store, service, ingest, logged } = setUp(registry);
    await ingest(events);
    const ids = [...new Set(events.map((e) => e.entityId))];
    const at = START + 3 * DAY;
    const first = await service.readColumns(ids, at);
    service.recycle(first);
    service.recycle(first);
    const [a, b] = await Promise.all([
      service.readColumns(ids, at + 1),
      service.readColumns([...ids].reverse(), at + 2),
    ]);
    expect(writeBatchResponse(a).toString()).toBe(
      batchOf(at + 1, await expected(store, registry, logged, ids, at + 1)),
    );
    expect(writeBatchResponse(b).toString()).toBe(
      batchOf(at + 2, await expected(store, registry, logged, [...ids].reverse(), at + 2)),
    );
  });

  it('evaluates afresh a view whose values move with time otherwise (a ratio over a time since last)', async () => {
    const view = defineFeatureView({
      name: 'odd',
      version: 1,
      entity: 'learner',
      sources: ['lesson_sent', 'lesson_completed'],
      features: [
        { name: 'since', aggregation: 'timeSinceLast' },
        { name: 'sent', aggregation: 'count', window: '7d' },
        { name: 'since_per_sent', aggregation: 'ratio', numerator: 'since', denominator: 'sent' },
      ],
    });
    const odd = createFeatureRegistry([view]);
    const events = simulated(5, 4);
    const { store, service, ingest, logged } = setUp(odd);
    await ingest(events);
    const ids = [...new Set(events.map((e) => e.entityId))];
    const at = Math.ceil((START + 5 * DAY) / EPOCH_MS) * EPOCH_MS;
    for (const t of [at, at + 60_000, at + 61_000]) {
      const want = await expected(store, odd, logged, ids, t);
      expect(await service.read(ids, t)).toEqual(want);
      expect(writeBatchResponse(await service.readColumns(ids, t)).toString()).toBe(batchOf(t, want));
    }
  });

  it('answers structured values (topK rankings, histogram counts) alike from the cache, the state and the replay', async () => {
    const structured = allAggregationsRegistry();
    const events = simulated(12, 4);
    const { store, service, ingest, logged } = setUp(structured);
    await ingest(events);
    const ids = [...new Set(events.map((e) => e.entityId))];
    const at = Math.ceil((START + 5 * DAY) / EPOCH_MS) * EPOCH_MS;
    // Two reads in one epoch (the second may come from the evaluated-views cache), then one before the
    // newest events (the replay).
    for (const t of [at, at + 60_000, START + 2 * DAY]) {
      const want = await expected(store, structured, logged, ids, t);
      const got = await service.read(ids, t);
      expect(got).toEqual(want);
      expect(writeBatchResponse(await service.readColumns(ids, t)).toString()).toBe(batchOf(t, want));
    }
    const values = (await service.read(ids, at)).flatMap((r) => Object.values(r.views.all_aggs?.values ?? {}));
    // The simulated learners answer assessments on several channels: the structured values are not empty.
    expect(values.some((v) => Array.isArray(v) && v.length > 0 && typeof v[0] === 'object')).toBe(true);
    expect(values.some((v) => Array.isArray(v) && v.some((n) => typeof n === 'number' && n > 0))).toBe(true);
  });

  it('reuses evaluations within one epoch: every tile size divides it', () => {
    expect(EPOCH_MS).toBe(5 * 60_000);
  });
});
