import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { EngagementEvent } from '@pulse/contracts';
import { foldEvents } from '../engine/apply-events';
import { emptyState } from '../engine/entity-state';
import { evaluate } from '../engine/evaluate';
import { learningEngagementRegistry } from '../learning-engagement/learning-engagement';
import { allAggregationsRegistry, event, HOUR, MIN, T0 } from '../testing/test-views';
import { buildTrainingSet, type TrainingRow } from './training-set.builder';

const registry = learningEngagementRegistry();
const collect = async (it: AsyncIterable<TrainingRow>) => {
  const rows: TrainingRow[] = [];
  for await (const r of it) rows.push(r);
  return rows;
};
const TYPES = [
  'lesson_sent',
  'lesson_started',
  'lesson_completed',
  'assessment_answered',
  'session_started',
  'path_progress',
];
function stream(entities: number, perEntity: number): EngagementEvent[] {
  const out: EngagementEvent[] = [];
  for (let u = 0; u < entities; u++) {
    for (let i = 0; i < perEntity; i++) {
      const type = TYPES[(i * 7 + u) % TYPES.length];
      const attributes: EngagementEvent['attributes'] =
        type === 'assessment_answered'
          ? { is_correct: (i + u) % 3 !== 0, time_taken_seconds: 5 + (i % 17) * 1.5 }
          : type === 'path_progress'
            ? { completion_percentage: (i * 13) % 101, difficulty: 'intermediate' }
            : {};
      out.push(
        event(
          `u${u}-e${i}`,
          i * 97 + u,
          type,
          {
            entityId: `u${u}`,
            contentId: `c${i % 5}`,
            channel: (['email', 'sms', 'web', 'slack'] as const)[(i + u) % 4],
          },
          attributes,
        ),
      );
    }
  }
  return out;
}

/** The online path for comparison: fold the entity's events as they arrive, evaluate at T (after folding everything ≤ T). */
function online(events: EngagementEvent[], entityId: string, T: number) {
  const state = emptyState();
  for (const e of events) if (e.entityId === entityId && e.eventTimeMs <= T) foldEvents(state, [e], registry);
  return evaluate(state, T, registry);
}

describe('buildTrainingSet', () => {
  const events = stream(4, 60);
  it('explicit points: each row equals the online evaluation of that entity at that time', async () => {
    const points = [
      { entityId: 'u2', timeMs: T0 + 40 * HOUR },
      { entityId: 'u0', timeMs: T0 + 10 * HOUR },
      { entityId: 'u0', timeMs: T0 + 2 * HOUR },
      { entityId: 'u3', timeMs: T0 + 200 * HOUR },
      { entityId: 'nobody', timeMs: T0 },
    ];
    const rows = await collect(buildTrainingSet({ events, points: { at: points }, registry }));
    expect(rows.map((r) => [r.entityId, r.timeMs - T0])).toEqual([
      ['u0', 2 * HOUR],
      ['u0', 10 * HOUR],
      ['u2', 40 * HOUR],
      ['u3', 200 * HOUR],
      ['nobody', 0],
    ]);
    for (const r of rows) expect(r.values).toEqual(online(events, r.entityId, r.timeMs));
    expect(rows[4].values.learner_behaviour.values.lessons_sent).toBe(0);
  });

  it('trigger points: one row per distinct trigger event, as of its time, the trigger included', async () => {
    const withDup = [...events.slice(0, 30), events[0], ...events.slice(30)];
    const rows = await collect(
      buildTrainingSet({ events: withDup, points: { trigger: { eventType: 'lesson_sent' } }, registry }),
    );
    const triggers = events.filter((e) => e.eventType === 'lesson_sent');
    expect(rows).toHaveLength(triggers.length);
    for (const r of rows) {
      expect(r.trigger?.eventType).toBe('lesson_sent');
      expect(r.timeMs).toBe(r.trigger?.eventTimeMs);
      expect(r.values).toEqual(online(events, r.entityId, r.timeMs));
    }
    const first = rows[0];
    expect(first.values.learner_behaviour.values.lessons_sent).toBe(1); // the trigger itself counts
  });

  it('rows carry structured values (topK rankings, histogram counts) exactly as online', async () => {
    const all = allAggregationsRegistry();
    const rows = await collect(
      buildTrainingSet({ events, points: { trigger: { eventType: 'assessment_answered' } }, registry: all }),
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) {
      const state = emptyState();
      for (const e of events) if (e.entityId === r.entityId && e.eventTimeMs <= r.timeMs) foldEvents(state, [e], all);
      expect(r.values).toEqual(evaluate(state, r.timeMs, all));
    }
    const v = rows[0].values.all_aggs.values;
    // u0's first answer is e3 (slack, 9.5 s); before it the view takes e0 (email) and e2 (web), not e1 (lesson_started).
    expect([rows[0].entityId, v.top_channels, v.time_hist]).toEqual([
      'u0',
      [
        { value: 'email', count: 1 },
        { value: 'slack', count: 1 },
        { value: 'web', count: 1 },
      ],
      [0, 1, 0, 0],
    ]);
  });

  it('labels come from the hook, which sees the whole entity history; null drops the row', async () => {
    const rows = await collect(
      buildTrainingSet({
        events,
        points: { trigger: { eventType: 'lesson_sent' } },
        registry,
        views: ['learner_behaviour'],
        label: async (row, history) => {
          const later = history.filter(
            (e) =>
              e.eventType === 'lesson_completed' &&
              e.eventTimeMs > row.timeMs &&
              e.eventTimeMs <= row.timeMs + 48 * HOUR,
          );
          return row.timeMs > T0 + 90 * HOUR ? null : { completed_48h: later.length > 0 };
        },
      }),
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.timeMs <= T0 + 90 * HOUR && typeof r.labels?.completed_48h === 'boolean')).toBe(true);
    expect(Object.keys(rows[0].values)).toEqual(['learner_behaviour']);
  });

  it('accepts any order within an entity but rejects a log not grouped by entity', async () => {
    const u0 = events.filter((e) => e.entityId === 'u0');
    const shuffled = [...u0].reverse();
    const a = await collect(
      buildTrainingSet({ events: shuffled, points: { at: [{ entityId: 'u0', timeMs: T0 + 30 * HOUR }] }, registry }),
    );
    expect(a[0].values).toEqual(online(events, 'u0', T0 + 30 * HOUR));
    const bad = [events[0], events[100], events[1]];
    await expect(
      collect(buildTrainingSet({ events: bad, points: { trigger: { eventType: 'lesson_sent' } }, registry })),
    ).rejects.toThrow(/not grouped by entity: u0 reappears/);
  });

  it('streams 500k events with bounded memory (only one entity in memory at a time)', async () => {
    const ENTITIES = 1000;
    const PER = 500;
    async function* log(): AsyncGenerator<EngagementEvent> {
      for (let u = 0; u < ENTITIES; u++) {
        for (let i = 0; i < PER; i++) {
          yield {
            eventId: `${u}:${i}`,
            entityId: `u${u}`,
            eventType: i % 10 === 0 ? 'lesson_sent' : 'session_started',
            eventTimeMs: T0 + i * 20 * MIN,
            channel: 'web',
            attributes: {},
          };
        }
      }
    }
    const small = learningEngagementRegistry();
    // Live memory, not heapUsed as it stands: garbage the collector has not reached yet depends on
    // what else runs on the machine (other Jest workers), and made this test fail under load.
    const gc = exposeGc();
    gc();
    const before = process.memoryUsage().heapUsed;
    let rows = 0;
    let peak = 0;
    const started = Date.now();
    for await (const r of buildTrainingSet({
      events: log(),
      points: {
        trigger: {
          eventType: 'lesson_sent',
          filter: (e) => e.eventTimeMs % (7 * 24 * HOUR) === 0 || Number(e.eventId.split(':')[1]) === PER - 10,
        },
      },
      registry: small,
    })) {
      rows++;
      if (rows % 250 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      }
      expect(r.values.learner_engagement.values.events_total).toBeGreaterThan(0);
    }
    expect(rows).toBeGreaterThanOrEqual(ENTITIES);
    // 500k events materialised at once would be ~100 MB; one entity's 500 events are ~100 kB.
    expect(peak).toBeLessThan(16 * 1024 * 1024);
    console.log(
      `training set: ${ENTITIES * PER} events, ${rows} rows in ${Date.now() - started} ms, peak live heap growth ${(peak / 2 ** 20).toFixed(1)} MiB`,
    );
  }, 60_000);
});

/** V8's full collection as a function, whether or not the process was started with --expose-gc. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
