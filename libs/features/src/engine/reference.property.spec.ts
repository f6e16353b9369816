// The tiled evaluation against a brute-force reference that scans raw events under the documented
// window semantics (whole tiles: [k − span + 1, k − offset] with k the as-of time's tile), at any T —
// including T inside the stream, which the service answers through the offline path.
import fc from 'fast-check';
import { CHANNELS, type EngagementEvent } from '@pulse/contracts';
import { evaluateOffline } from './replay';
import { allAggregationsRegistry, HOUR, MIN, T0 } from '../testing/test-views';

const DAY = 24 * HOUR;
const registry = allAggregationsRegistry();

function reference(all: EngagementEvent[], T: number) {
  const seen = new Set<string>();
  const ev = all.filter((e) => e.eventTimeMs <= T && !seen.has(e.eventId) && seen.add(e.eventId));
  ev.sort((a, b) => a.eventTimeMs - b.eventTimeMs || (a.eventId < b.eventId ? -1 : 1));
  const k = Math.floor(T / HOUR);
  const in2h = ev.filter((e) => Math.floor(e.eventTimeMs / HOUR) >= k - 1);
  const answers = ev.filter((e) => e.eventType === 'assessment_answered');
  const secs = (list: EngagementEvent[]) =>
    list.filter((e) => e.eventType === 'assessment_answered').map((e) => e.attributes.time_taken_seconds as number);
  const mode = (values: string[]) => {
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? null;
  };
  const top = (values: string[], k: number) => {
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    return [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, k)
      .map(([value, count]) => ({ value, count }));
  };
  const histogram = (values: number[], edges: number[]) =>
    edges
      .map((_, i) => i)
      .concat(edges.length)
      .map((b) => values.filter((v) => (b === 0 || v >= edges[b - 1]) && (b === edges.length || v < edges[b])).length);
  let streak = 0;
  for (const a of answers) streak = a.attributes.is_correct ? streak + 1 : 0;
  const correct = answers.filter((a) => a.attributes.is_correct === true).length;
  const all2h = secs(in2h);
  return {
    n: ev.length,
    n_2h: in2h.length,
    n_prev_1h: ev.filter((e) => Math.floor(e.eventTimeMs / HOUR) === k - 1).length,
    n_1d: ev.filter((e) => Math.floor(e.eventTimeMs / DAY) === Math.floor(T / DAY)).length,
    answers: answers.length,
    correct,
    accuracy: answers.length ? correct / answers.length : null,
    time_sum: secs(ev).reduce((s, x) => s + x, 0),
    time_min: secs(ev).length ? Math.min(...secs(ev)) : null,
    time_max_2h: all2h.length ? Math.max(...all2h) : null,
    first_channel: ev[0]?.channel ?? null,
    last_channel_2h: in2h[in2h.length - 1]?.channel ?? null,
    channels: new Set(ev.map((e) => e.channel)).size,
    top_channel: mode(ev.map((e) => e.channel)),
    streak,
    since_last: ev.length ? T - ev[ev.length - 1].eventTimeMs : null,
    top_channels: top(
      ev.map((e) => e.channel),
      3,
    ),
    top_contents_2h: top(
      in2h.flatMap((e) => (e.contentId === undefined ? [] : [e.contentId])),
      2,
    ),
    time_hist: histogram(secs(ev), [0, 10, 100]),
    correct_hist_2h: histogram(
      in2h.filter((e) => e.eventType === 'assessment_answered').map((e) => (e.attributes.is_correct ? 1 : 0)),
      [1],
    ),
  };
}

const eventArb = fc.record({
  type: fc.constantFrom('lesson_sent', 'assessment_answered', 'session_started'),
  minute: fc.integer({ min: 0, max: 3 * 24 * 60 }),
  channel: fc.constantFrom(...CHANNELS),
  content: fc.option(fc.constantFrom('c1', 'c2', 'c3'), { nil: undefined }),
  correct: fc.boolean(),
  seconds: fc.integer({ min: 0, max: 100_000 }).map((x) => x / 100),
});

describe('tiled evaluation == brute-force reference (property)', () => {
  it('at random as-of times, before, inside and after the stream', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 60 }),
        fc.array(fc.integer({ min: -60, max: 4 * 24 * 60 }), { minLength: 1, maxLength: 5 }),
        (raw, asOfs) => {
          const events: EngagementEvent[] = raw.map((r, i) => ({
            eventId: `e${String(i).padStart(2, '0')}`,
            entityId: 'u',
            eventType: r.type,
            eventTimeMs: T0 + r.minute * MIN,
            channel: r.channel,
            ...(r.content ? { contentId: r.content } : {}),
            attributes: (r.type === 'assessment_answered'
              ? { is_correct: r.correct, time_taken_seconds: r.seconds }
              : {}) as EngagementEvent['attributes'],
          }));
          for (const m of asOfs) {
            const T = T0 + m * MIN + 17;
            const got = evaluateOffline(events, T, registry).all_aggs.values;
            const { time_sum, ...exact } = reference(events, T);
            expect(got).toMatchObject(exact);
            expect(got.time_sum).toBeCloseTo(time_sum, 6);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
