import type { EngagementEvent } from '@pulse/contracts';
import { decodeEngagementEvent, encodeEngagementEvent, LEARNING_ENGAGEMENT_CATALOG } from '@pulse/contracts';
import { createSimulation } from './simulation';
import type { CompletionOracleRecord, SimulationOptions } from './simulation-options';
import { DAY_MS } from './simulation-options';

const START = Date.UTC(2024, 0, 1);
const run = (options: SimulationOptions) => [...createSimulation({ startTimeMs: START, ...options })];
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Mann-Whitney AUC with tied ranks averaged. */
function auc(scores: number[], labels: boolean[]): number {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && scores[order[j]] === scores[order[i]]) j++;
    for (let k = i; k < j; k++) {
      if (labels[order[k]]) {
        rankSum += (i + j + 1) / 2;
        pos++;
      }
    }
    i = j;
  }
  const neg = labels.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

describe('createSimulation', () => {
  const oracle: CompletionOracleRecord[] = [];
  const sim = createSimulation({
    seed: 11,
    learners: 300,
    days: 28,
    startTimeMs: START,
    onOracle: (r) => oracle.push(r),
  });
  const events: EngagementEvent[] = [...sim];

  it('is deterministic for a seed', () => {
    const a = run({ seed: 'abc', learners: 30, days: 10 });
    expect(run({ seed: 'abc', learners: 30, days: 10 })).toEqual(a);
    expect(a.length).toBeGreaterThan(500);
  });

  it('differs for another seed', () => {
    expect(run({ seed: 'abd', learners: 30, days: 10 }).map((e) => e.eventTimeMs)).not.toEqual(
      run({ seed: 'abc', learners: 30, days: 10 }).map((e) => e.eventTimeMs),
    );
  });

  it('gives a learner the same life however many other learners there are', () => {
    const of = (evs: EngagementEvent[]) => evs.filter((e) => e.entityId === 'learner-000003');
    expect(of(run({ seed: 5, learners: 5, days: 10, joinSpreadDays: 3 }))).toEqual(
      of(run({ seed: 5, learners: 9, days: 10, joinSpreadDays: 3 })),
    );
  });

  it('emits events in event-time order within the simulated period', () => {
    const outOfOrder = events.filter((e, i) => i > 0 && e.eventTimeMs < events[i - 1].eventTimeMs).length;
    expect(outOfOrder).toBe(0);
    expect(events[0].eventTimeMs).toBeGreaterThanOrEqual(START);
    expect(events[events.length - 1].eventTimeMs).toBeLessThan(sim.endTimeMs);
    expect(sim.endTimeMs).toBe(START + 28 * DAY_MS);
  });

  it('produces only events the default catalog accepts, in both wire formats', () => {
    const verdicts = new Map<string, number>();
    for (const [i, event] of events.entries()) {
      const { bytes, contentType } = encodeEngagementEvent(event, i % 2 === 0 ? 'protobuf' : 'json');
      const r = decodeEngagementEvent(bytes, contentType, LEARNING_ENGAGEMENT_CATALOG, { nowMs: sim.endTimeMs });
      const key = r.ok ? 'ok' : `${r.rejection.reason} ${r.rejection.field}`;
      verdicts.set(key, (verdicts.get(key) ?? 0) + 1);
    }
    expect([...verdicts.entries()]).toEqual([['ok', events.length]]);
  });

  it('has unique event ids and every event type of the catalog', () => {
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    expect(Object.keys(sim.stats.byType).sort()).toEqual([...LEARNING_ENGAGEMENT_CATALOG.eventTypeNames].sort());
    expect(sim.stats.events).toBe(events.length);
  });

  it('reports one oracle record per lesson_sent, with a probability in [0, 1]', () => {
    expect(oracle.map((o) => o.eventId)).toEqual(
      events.filter((e) => e.eventType === 'lesson_sent').map((e) => e.eventId),
    );
    expect(oracle.every((o) => o.probability >= 0 && o.probability <= 1)).toBe(true);
  });

  it('draws outcomes from the oracle probability (calibrated within 0.03)', () => {
    const observed = oracle.filter((o) => o.windowObserved);
    expect(
      Math.abs(mean(observed.map((o) => o.probability)) - mean(observed.map((o) => (o.completedWithin48h ? 1 : 0)))),
    ).toBeLessThan(0.03);
  });

  it('completes a lesson within 48 h exactly when the oracle says so', () => {
    const completedAt = new Map<string, number>();
    for (const e of events) {
      const key = `${e.entityId} ${e.contentId}`;
      if (e.eventType === 'lesson_completed' && !completedAt.has(key)) completedAt.set(key, e.eventTimeMs);
    }
    // A lesson is sent to a learner once, so (learner, content) identifies the send.
    expect(new Set(oracle.map((o) => `${o.entityId} ${o.contentId}`)).size).toBe(oracle.length);
    const mismatches = oracle.filter((o) => {
      if (!o.windowObserved) return false;
      const done = completedAt.get(`${o.entityId} ${o.contentId}`);
      return o.completedWithin48h !== (done !== undefined && done > o.sentAtMs && done <= o.sentAtMs + 48 * 3600_000);
    });
    expect(mismatches).toEqual([]);
  });

  it('completes more lessons when motivation is higher (monotone by tercile, with margins)', () => {
    const sorted = oracle.filter((o) => o.windowObserved).sort((a, b) => a.motivation - b.motivation);
    const third = Math.floor(sorted.length / 3);
    const rate = (xs: CompletionOracleRecord[]) => mean(xs.map((o) => (o.completedWithin48h ? 1 : 0)));
    const [low, mid, high] = [sorted.slice(0, third), sorted.slice(third, 2 * third), sorted.slice(2 * third)].map(
      rate,
    );
    expect(mid - low).toBeGreaterThan(0.1);
    expect(high - mid).toBeGreaterThan(0.05);
  });

  it('completes more lessons sent on the preferred channel', () => {
    const preferred = new Map(sim.learners.map((l) => [l.entityId, l.preferredChannel]));
    const observed = oracle.filter((o) => o.windowObserved && !o.dropped);
    const rate = (match: boolean) =>
      mean(
        observed
          .filter((o) => (preferred.get(o.entityId) === o.channel) === match)
          .map((o) => (o.completedWithin48h ? 1 : 0)),
      );
    expect(rate(true) - rate(false)).toBeGreaterThan(0.08);
  });

  it('is predictable from past behaviour, but not trivially: past completion rate AUC in (0.65, oracle AUC)', () => {
    const observed = oracle.filter((o) => o.windowObserved);
    const history = new Map<string, [number, number]>();
    const closed: CompletionOracleRecord[] = [];
    const scores: number[] = [];
    const labels: boolean[] = [];
    let next = 0;
    for (const o of observed) {
      // Only outcomes whose 48-hour window has closed are known at send time.
      closed.push(o);
      while (next < closed.length - 1 && closed[next].sentAtMs + 48 * 3600_000 <= o.sentAtMs) {
        const c = closed[next++];
        const h = history.get(c.entityId) ?? [0, 0];
        history.set(c.entityId, [h[0] + (c.completedWithin48h ? 1 : 0), h[1] + 1]);
      }
      const [done, sent] = history.get(o.entityId) ?? [0, 0];
      if (sent >= 3) {
        scores.push((done + 0.5) / (sent + 1));
        labels.push(o.completedWithin48h);
      }
    }
    const naive = auc(scores, labels);
    const best = auc(
      observed.map((o) => o.probability),
      observed.map((o) => o.completedWithin48h),
    );
    expect(naive).toBeGreaterThan(0.65);
    expect(naive).toBeLessThan(best - 0.05);
    expect(best).toBeLessThan(0.95);
  });

  it('lets some learners drop out, more of them among the fast-fading', () => {
    const lastActive = new Map<string, number>();
    for (const e of events) if (e.eventType !== 'lesson_sent') lastActive.set(e.entityId, e.eventTimeMs);
    const silent = sim.learners.filter((l) => (lastActive.get(l.entityId) ?? 0) < sim.endTimeMs - 7 * DAY_MS);
    expect(silent.length / sim.learners.length).toBeGreaterThan(0.05);
    expect(silent.length / sim.learners.length).toBeLessThan(0.6);
    const decay = (ls: typeof sim.learners) => mean(ls.map((l) => l.motivationDecay));
    expect(decay(silent)).toBeGreaterThan(decay(sim.learners) * 1.2);
  });

  it('can be iterated only once', () => {
    expect(() => [...sim]).toThrow('only once');
  });

  it.each([
    [{ learners: 0 }, RangeError, 'learners must be in [1, 1000000], got 0'],
    [{ days: 2.5 }, RangeError, 'days must be an integer'],
    [{ duplicateFraction: 1.5 }, RangeError, 'duplicateFraction must be in [0, 1], got 1.5'],
    [{ lateFraction: Number('x') }, RangeError, 'lateFraction must be finite'],
    [{ learners: '10' as unknown as number }, TypeError, 'learners must be a number'],
    [{ live: 'yes' as unknown as boolean }, TypeError, 'live must be a boolean, got string'],
  ])('rejects bad options %p', (options, type, message) => {
    expect(() => createSimulation(options)).toThrow(type);
    expect(() => createSimulation(options)).toThrow(message);
  });

  it('ends at the current UTC midnight by default', () => {
    const s = createSimulation({ learners: 1, days: 3 });
    expect(s.endTimeMs).toBe(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  });

  it('goes on past its days when live, with the same events up to them', () => {
    const options = { seed: 5, learners: 40, days: 10, startTimeMs: Date.UTC(2026, 0, 1) };
    const finite = [...createSimulation(options)];
    const live = createSimulation({ ...options, live: true });
    expect(live.endTimeMs).toBe(Infinity);
    const taken: number[] = [];
    const endOfDays = Date.UTC(2026, 0, 11);
    for (const e of live) {
      taken.push(e.eventTimeMs);
      if (e.eventTimeMs >= endOfDays + 60 * DAY_MS) break;
    }
    expect(taken.slice(0, finite.length)).toEqual(finite.map((e) => e.eventTimeMs));
    // Still active two months after the backfill: the learners' lives go on.
    expect(taken.filter((t) => t >= endOfDays + 50 * DAY_MS).length).toBeGreaterThan(0);
  });
});

describe('churn (tenureDays)', () => {
  const base = { seed: 21, learners: 60, days: 40, joinSpreadDays: 40 } as const;
  const byLearner = (events: EngagementEvent[]) => {
    const m = new Map<string, EngagementEvent[]>();
    for (const e of events) m.set(e.entityId, [...(m.get(e.entityId) ?? []), e]);
    return m;
  };

  it('lives each learner the same life up to leaving, and nothing after', () => {
    const stay = byLearner(run(base));
    const leave = byLearner(run({ ...base, tenureDays: 8 }));
    let left = 0;
    for (const [id, events] of stay) {
      const mine = leave.get(id) ?? [];
      // Everything the churned learner did, they did in the life without churn too, until a day they stopped.
      const same = new Map(events.map((e) => [e.eventId, e]));
      expect(mine.filter((e) => JSON.stringify(same.get(e.eventId)) !== JSON.stringify(e))).toEqual([]);
      const stopped = mine.length ? mine[mine.length - 1].eventTimeMs : -Infinity;
      expect(
        events.filter((e) => e.eventTimeMs < stopped - 3 * DAY_MS && !mine.some((m) => m.eventId === e.eventId)),
      ).toEqual([]);
      if (mine.length < events.length) left++;
    }
    expect(left).toBeGreaterThan(30);
  });

  it('keeps the active population near steady once joining and leaving balance', () => {
    const events = run({ seed: 3, learners: 400, days: 60, joinSpreadDays: 60, tenureDays: 10 });
    const activeOn = (day: number) =>
      new Set(events.filter((e) => Math.floor((e.eventTimeMs - START) / DAY_MS) === day).map((e) => e.entityId)).size;
    // joining at 400/60 a day, staying 10 days on average: about 67 learners once day 30 is reached.
    for (const day of [35, 45, 55]) {
      expect(activeOn(day)).toBeGreaterThan(45);
      expect(activeOn(day)).toBeLessThan(95);
    }
  });

  it('refuses a tenure below one day', () => {
    expect(() => createSimulation({ tenureDays: 0.5 })).toThrow(/tenureDays/);
  });
});
