// The no-skew guarantee: the online path (states folded batch after batch from events arriving out of
// order within the allowed lateness, with duplicates and redeliveries, through the store's
// serialisation) and the offline path (a replay of the event log up to T) give identical states and
// identical feature values (deep, exact equality — floats included) for every entity and T ≥ watermark.
import fc from 'fast-check';
import { CHANNELS, type EngagementEvent } from '@pulse/contracts';
import { applyEvents } from './apply-events';
import { emptyState, type EntityState } from './entity-state';
import { evaluate } from './evaluate';
import { evaluateOffline, replayEvents } from './replay';
import { InMemoryOnlineStore } from '../store/in-memory-online-store';
import { foldBatchIntoStore } from '../store/fold-batch';
import { allAggregationsRegistry, HOUR, MIN, T0 } from '../testing/test-views';
import { learningEngagementRegistry } from '../learning-engagement/learning-engagement';

const TYPES = [
  'lesson_sent',
  'lesson_completed',
  'assessment_answered',
  'path_progress',
  'session_started',
  'not_in_any_view',
];

const valueArb = fc.oneof(
  fc.integer({ min: 0, max: 600 }),
  fc.double({ min: -1e4, max: 1e4, noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0.1, 0.2, 0.3, 1e-9, 123456789.123456, 2 ** 40 + 0.5, 1e12),
);

// Event times cluster on a few instants (ties), tile edges and random minutes over ~40 days.
const timeArb = fc.oneof(
  fc.integer({ min: 0, max: 40 * 24 * 60 }).map((m) => T0 + m * MIN),
  fc.constantFrom(T0, T0 + HOUR - 1, T0 + HOUR, T0 + 24 * HOUR - 1, T0 + 24 * HOUR, T0 + 15 * 24 * HOUR),
  fc.integer({ min: 0, max: 3 * 24 * 3600 }).map((s) => T0 + 14 * 24 * HOUR + s * 1000),
);

const eventArb = fc.record({
  entity: fc.constantFrom('u1', 'u2', 'u3'),
  type: fc.constantFrom(...TYPES),
  time: timeArb,
  channel: fc.constantFrom(...CHANNELS),
  content: fc.option(fc.constantFrom('c1', 'c2', 'c3', 'c4'), { nil: undefined }),
  correct: fc.boolean(),
  seconds: valueArb,
  completion: fc.oneof(fc.constant(100), fc.double({ min: 0, max: 100, noNaN: true })),
  difficulty: fc.constantFrom('beginner', 'intermediate', 'advanced', 'expert'),
});

type Gen = fc.Arbitrary<{
  events: EngagementEvent[];
  arrivals: EngagementEvent[];
  batches: number[];
  lateness: number;
}>;

/** Unique events, duplicated copies, arrival = event time + a delay ≤ lateness (so never too late), random batches. */
function streamArb(constrained: boolean): Gen {
  return fc
    .record({
      raw: fc.array(eventArb, { minLength: 1, maxLength: 120 }),
      lateness: fc.constantFrom(0, 30 * MIN, 90 * MIN, 26 * HOUR),
      dupSeeds: fc.array(fc.nat(), { maxLength: 30 }),
      delays: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 150, maxLength: 150 }),
      batches: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
      shuffleKeys: fc.array(fc.nat(), { minLength: 150, maxLength: 150 }),
    })
    .map(({ raw, lateness, dupSeeds, delays, batches, shuffleKeys }) => {
      const events: EngagementEvent[] = raw.map((r, i) => ({
        eventId: `e${String(i).padStart(3, '0')}`,
        entityId: r.entity,
        eventType: r.type,
        eventTimeMs: r.time,
        channel: r.channel,
        ...(r.content ? { contentId: r.content } : {}),
        attributes: (r.type === 'assessment_answered'
          ? { is_correct: r.correct, time_taken_seconds: r.seconds }
          : r.type === 'path_progress'
            ? { completion_percentage: r.completion, difficulty: r.difficulty }
            : {}) as EngagementEvent['attributes'],
      }));
      const withDups = [...events, ...dupSeeds.map((s) => ({ ...events[s % events.length] }))];
      const keyed = withDups.map((e, i) => ({
        e,
        arrival: constrained
          ? e.eventTimeMs + Math.floor(delays[i % delays.length] * lateness)
          : shuffleKeys[i % shuffleKeys.length],
        tie: shuffleKeys[(i * 7) % shuffleKeys.length],
      }));
      keyed.sort((a, b) => a.arrival - b.arrival || a.tie - b.tie);
      return { events, arrivals: keyed.map((k) => k.e), batches, lateness };
    });
}

async function foldOnline(
  arrivals: EngagementEvent[],
  batches: number[],
  registry: ReturnType<typeof allAggregationsRegistry>,
) {
  const store = new InMemoryOnlineStore();
  const tooLate: EngagementEvent[] = [];
  let offset = 0;
  for (let b = 0; offset < arrivals.length; b++) {
    const size = batches[b % batches.length];
    const batch = arrivals.slice(offset, offset + size);
    // What the log would get (beforePut, called before the fold): everything, split as the fold splits it.
    const handed: EngagementEvent[][] = [];
    const r = await foldBatchIntoStore(store, batch, registry, {
      beforePut: async (accepted, late) => void handed.push([...accepted], [...late]),
    });
    expect(handed).toHaveLength(2);
    expect(handed[1]).toEqual(r.tooLate);
    expect([...handed[0], ...handed[1]].sort(byArrival(batch))).toEqual(batch);
    tooLate.push(...r.tooLate);
    offset += size;
  }
  return { store, tooLate };
}

const byArrival = (batch: EngagementEvent[]) => (a: EngagementEvent, b: EngagementEvent) =>
  batch.indexOf(a) - batch.indexOf(b);

const byEntity = (events: EngagementEvent[]) => {
  const m = new Map<string, EngagementEvent[]>();
  for (const e of events) m.set(e.entityId, [...(m.get(e.entityId) ?? []), e]);
  return m;
};

async function checkSameAsOffline(
  store: InMemoryOnlineStore,
  logged: EngagementEvent[],
  registry: ReturnType<typeof allAggregationsRegistry>,
  offsets: number[],
) {
  const log = byEntity(logged);
  const online = await store.getStates([...log.keys()]);
  for (const [id, events] of log) {
    const state = online.get(id)?.state as EntityState;
    expect(state).toBeDefined();
    // The offline replay sees the log in its own order (time, id): states are deep-equal ...
    expect(state).toEqual(replayEvents([...events].reverse(), registry));
    // ... and so are the values at every T ≥ watermark, floats bit for bit (toEqual uses Object.is).
    for (const off of offsets) {
      const T = (state.w as number) + off;
      expect(evaluate(state, T, registry)).toEqual(evaluateOffline(events, T, registry));
    }
  }
}

const OFFSETS = [0, 1, 59 * MIN, HOUR, 13 * HOUR, 24 * HOUR, 15 * 24 * HOUR];

describe('online == offline (property)', () => {
  it('for streams arriving out of order within the lateness, with duplicates, in random batches', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb(true), async ({ events, arrivals, batches, lateness }) => {
        const registry = allAggregationsRegistry({ allowedLatenessMs: lateness });
        const { store, tooLate } = await foldOnline(arrivals, batches, registry);
        expect(tooLate).toEqual([]);
        await checkSameAsOffline(store, events, registry, OFFSETS);
      }),
      { numRuns: 150 },
    );
  });

  it('for arbitrary arrival orders: what was applied (all but the too-late) replays to the same state', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb(false), async ({ arrivals, batches, lateness }) => {
        const registry = allAggregationsRegistry({ allowedLatenessMs: lateness });
        const { store, tooLate } = await foldOnline(arrivals, batches, registry);
        // An id's first arrival is applied or too late; later copies never apply again (they are
        // duplicates, or too late once the id left the dedup window).
        const late = new Set(tooLate);
        const firsts = new Map<string, EngagementEvent>();
        for (const e of arrivals) if (!firsts.has(e.eventId)) firsts.set(e.eventId, e);
        const applied = [...firsts.values()].filter((e) => !late.has(e));
        await checkSameAsOffline(store, applied, registry, OFFSETS);
      }),
      { numRuns: 100 },
    );
  });

  it('redelivering everything again changes nothing (exactly-once effect)', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb(true), async ({ arrivals, batches, lateness }) => {
        const registry = allAggregationsRegistry({
          allowedLatenessMs: lateness,
          dedupRetentionMs: lateness + 60 * 24 * HOUR,
        });
        const { store } = await foldOnline(arrivals, batches, registry);
        const ids = [...new Set(arrivals.map((e) => e.entityId))];
        const before = await store.getStates(ids);
        const again = await foldBatchIntoStore(store, arrivals, registry);
        expect([again.applied, again.tooLate.length, again.written]).toEqual([0, 0, 0]);
        expect(await store.getStates(ids)).toEqual(before);
      }),
      { numRuns: 50 },
    );
  });

  it('holds for the default learning-engagement views with single-event batches (pure applyEvents)', () => {
    fc.assert(
      fc.property(streamArb(true), ({ events, arrivals, lateness }) => {
        const registry = learningEngagementRegistry({ allowedLatenessMs: lateness });
        const states = new Map<string, EntityState>();
        for (const e of arrivals) {
          const r = applyEvents(states.get(e.entityId) ?? emptyState(), [e], registry);
          expect(r.tooLate).toEqual([]);
          states.set(e.entityId, r.state);
        }
        for (const [id, log] of byEntity(events)) {
          const state = states.get(id) as EntityState;
          expect(state).toEqual(replayEvents(log, registry));
          for (const off of [0, 7 * HOUR, 3 * 24 * HOUR, 20 * 24 * HOUR]) {
            expect(evaluate(state, (state.w as number) + off, registry)).toEqual(
              evaluateOffline(log, (state.w as number) + off, registry),
            );
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
