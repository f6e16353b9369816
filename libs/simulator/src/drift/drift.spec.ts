import type { EngagementEvent } from '@pulse/contracts';
import { auc, logloss } from '@pulse/ml-metrics';
import type { LearnerTraits } from '../model/learner';
import { createSimulation } from '../simulation/simulation';
import type { CompletionOracleRecord, SimulationOptions } from '../simulation/simulation-options';
import { DAY_MS, HOUR_MS } from '../simulation/simulation-options';
import type { DriftOptions } from './drift-options';

const START = Date.UTC(2024, 0, 1);
const DAY = 20;
const DRIFT_MS = START + DAY * DAY_MS;
const BASE: SimulationOptions = { seed: 'drift', learners: 600, days: 36, startTimeMs: START };

interface Send {
  readonly record: CompletionOracleRecord;
  /** The frozen model's cell: the learner's past completion rate and past rate on the send's channel, binned. */
  readonly cell: string;
}

interface Run {
  readonly events: EngagementEvent[];
  readonly sends: Send[];
  readonly learners: readonly LearnerTraits[];
}

/**
 * A stand-in for a deployed lesson-completion model: lifetime completion rates of the learner,
 * overall and on the send's channel (as the feature views compute them), from outcomes whose 48 h
 * window has closed by the send.
 */
function simulate(drift?: DriftOptions): Run {
  const oracle: CompletionOracleRecord[] = [];
  const sim = createSimulation({ ...BASE, drift, onOracle: (r) => oracle.push(r) });
  const events: EngagementEvent[] = [];
  const sends: Send[] = [];
  const overall = new Map<string, [number, number]>();
  const perChannel = new Map<string, [number, number]>();
  const open: CompletionOracleRecord[] = [];
  const add = (m: Map<string, [number, number]>, key: string, done: boolean) => {
    const [k, n] = m.get(key) ?? [0, 0];
    m.set(key, [k + (done ? 1 : 0), n + 1]);
  };
  const bin = (m: Map<string, [number, number]>, key: string, min: number, bins: number) => {
    const [k, n] = m.get(key) ?? [0, 0];
    return n < min ? 'none' : String(Math.min(bins - 1, Math.floor(((k + 0.5) / (n + 1)) * bins)));
  };
  for (const e of sim) {
    events.push(e);
    if (e.eventType !== 'lesson_sent') continue;
    const record = oracle[sends.length];
    while (open.length > 0 && open[0].sentAtMs + 48 * HOUR_MS <= record.sentAtMs) {
      const closed = open.shift()!;
      add(overall, closed.entityId, closed.completedWithin48h);
      add(perChannel, `${closed.entityId} ${closed.channel}`, closed.completedWithin48h);
    }
    open.push(record);
    const cell = `${bin(overall, record.entityId, 3, 5)}/${bin(perChannel, `${record.entityId} ${record.channel}`, 2, 4)}`;
    sends.push({ record, cell });
  }
  return { events, sends, learners: sim.learners };
}

/** Fit the cells' rates on the two weeks before the drift day, score the two weeks from it. */
function frozenModel(run: Run) {
  const inDays = (s: Send, from: number, to: number) =>
    s.record.sentAtMs >= DRIFT_MS + from * DAY_MS && s.record.sentAtMs < DRIFT_MS + to * DAY_MS;
  const cells = new Map<string, [number, number]>();
  for (const s of run.sends.filter((s) => inDays(s, -14, 0))) {
    const [k, n] = cells.get(s.cell) ?? [0, 0];
    cells.set(s.cell, [k + (s.record.completedWithin48h ? 1 : 0), n + 1]);
  }
  const predict = (s: Send) => {
    const [k, n] = cells.get(s.cell) ?? [0, 0];
    return (k + 1) / (n + 2);
  };
  const scored = run.sends.filter((s) => inDays(s, 0, 14) && s.record.windowObserved);
  const quality = (sends: Send[]) => {
    const y = sends.map((s) => (s.record.completedWithin48h ? 1 : 0));
    const p = sends.map(predict);
    return {
      auc: auc(y, p),
      logloss: logloss(y, p),
      /** Mean prediction minus the observed rate. */
      overPrediction: mean(p) - mean(y),
    };
  };
  return { all: quality(scored), quality, scored };
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const before = (events: EngagementEvent[]) => events.filter((e) => e.eventTimeMs < DRIFT_MS);
const after = (events: EngagementEvent[]) => events.filter((e) => e.eventTimeMs >= DRIFT_MS);
const share = (events: EngagementEvent[], test: (e: EngagementEvent) => boolean) =>
  events.filter(test).length / events.length;
const sessions = (events: EngagementEvent[]) => events.filter((e) => e.eventType === 'session_started');
const answers = (events: EngagementEvent[]) => events.filter((e) => e.eventType === 'assessment_answered');

describe('world drift', () => {
  const none = simulate();
  const noneModel = frozenModel(none);

  describe('channel-preference', () => {
    const run = simulate({ kind: 'channel-preference', day: DAY });
    const model = frozenModel(run);

    it('leaves everything before the day as it was, and changes what follows', () => {
      expect(before(run.events)).toEqual(before(none.events));
      expect(after(run.events)).not.toEqual(after(none.events));
    });

    it('moves the learners’ own sessions to the new channel, while the platform keeps sending where it did', () => {
      const sms = (e: EngagementEvent) => e.channel === 'sms';
      expect(share(sessions(before(run.events)), sms)).toBeLessThan(0.25);
      expect(share(sessions(after(none.events)), sms)).toBeLessThan(0.25);
      expect(share(sessions(after(run.events)), sms)).toBeGreaterThan(0.45);
      const drawn = new Map(run.learners.map((l) => [l.entityId, l.preferredChannel]));
      const targeted = (events: EngagementEvent[]) =>
        share(
          after(events).filter((e) => e.eventType === 'lesson_sent'),
          (e) => e.channel === drawn.get(e.entityId),
        );
      expect(Math.abs(targeted(run.events) - targeted(none.events))).toBeLessThan(0.02);
    });

    it('makes the frozen model over-predict the lessons sent on the channel the learner used to prefer', () => {
      const drawn = new Map(run.learners.map((l) => [l.entityId, l.preferredChannel]));
      const onOld = (m: ReturnType<typeof frozenModel>) =>
        m.quality(m.scored.filter((s) => s.record.channel === drawn.get(s.record.entityId))).overPrediction;
      expect(onOld(model) - onOld(noneModel)).toBeGreaterThan(0.05);
      expect(model.all.logloss).toBeGreaterThan(noneModel.all.logloss);
    });
  });

  describe('difficulty', () => {
    const run = simulate({ kind: 'difficulty', day: DAY });
    const model = frozenModel(run);

    it('leaves everything before the day as it was', () => {
      expect(before(run.events)).toEqual(before(none.events));
    });

    it('makes answers less often correct and slower, and lessons less often completed', () => {
      const correct = (events: EngagementEvent[]) =>
        share(answers(after(events)), (e) => e.attributes.is_correct === true);
      expect(correct(none.events) - correct(run.events)).toBeGreaterThan(0.2);
      const seconds = (events: EngagementEvent[]) =>
        mean(answers(after(events)).map((e) => e.attributes.time_taken_seconds as number));
      expect(seconds(run.events) / seconds(none.events)).toBeGreaterThan(1.3);
      const completed = (r: Run) =>
        mean(r.sends.filter((s) => s.record.sentAtMs >= DRIFT_MS).map((s) => (s.record.completedWithin48h ? 1 : 0)));
      expect(completed(none) - completed(run)).toBeGreaterThan(0.03);
    });

    it('makes the frozen model over-predict', () => {
      expect(model.all.overPrediction - noneModel.all.overPrediction).toBeGreaterThan(0.025);
    });
  });

  describe('delivery-outage', () => {
    const run = simulate({ kind: 'delivery-outage', day: DAY, hours: [0, 12], oddsRatio: 0.05 });
    const morning = (s: Send) => new Date(s.record.sentAtMs).getUTCHours() < 12;
    const rate = (sends: Send[]) => mean(sends.map((s) => (s.record.completedWithin48h ? 1 : 0)));
    const from = (r: Run) => r.sends.filter((s) => s.record.sentAtMs >= DRIFT_MS);

    it('leaves everything before the day as it was', () => {
      expect(before(run.events)).toEqual(before(none.events));
    });

    it('makes morning sends fail (a lesson may still be done in a session of the learner’s own), the others not', () => {
      expect(rate(from(run).filter(morning))).toBeLessThan(0.4 * rate(from(none).filter(morning)));
      const afternoon = (r: Run) => rate(from(r).filter((s) => !morning(s)));
      expect(Math.abs(afternoon(run) - afternoon(none))).toBeLessThan(0.03);
    });

    it("lowers the frozen model's AUC: it ranks morning sends as before", () => {
      expect(noneModel.all.auc - frozenModel(run).all.auc).toBeGreaterThan(0.03);
    });

    it('refuses hours out of order and an unknown channel', () => {
      expect(() => createSimulation({ ...BASE, drift: { kind: 'delivery-outage', day: 1, hours: [12, 6] } })).toThrow(
        /drift.hours/,
      );
      expect(() =>
        createSimulation({ ...BASE, drift: { kind: 'delivery-outage', day: 1, channel: 'fax' as 'sms' } }),
      ).toThrow(/drift.channel/);
    });
  });

  describe('new-region', () => {
    const run = simulate({ kind: 'new-region', day: DAY });
    const model = frozenModel(run);

    it('adds learners of the region who join from the day on, and changes nobody else', () => {
      const joined = run.learners.slice(600);
      expect(joined.length).toBe(300);
      expect(joined[0].entityId).toBe('learner-latam-000600');
      expect(joined.every((l) => l.region === 'latam' && l.joinDay >= DAY && l.joinDay < DAY + 7)).toBe(true);
      expect(run.events.filter((e) => e.profile?.region !== 'latam')).toEqual(none.events);
      expect(before(run.events).some((e) => e.profile?.region === 'latam')).toBe(false);
      expect(share(after(run.events), (e) => e.profile?.region === 'latam')).toBeGreaterThan(0.2);
    });

    it('shifts the hours and channels of the learners’ sessions', () => {
      const hours = (events: EngagementEvent[]) => {
        const h = new Array(24).fill(0);
        for (const e of sessions(after(events))) h[Math.floor((e.eventTimeMs % DAY_MS) / HOUR_MS)]++;
        const total = h.reduce((a, b) => a + b, 0);
        return h.map((x) => x / total);
      };
      const a = hours(none.events);
      const b = hours(run.events);
      const totalVariation = a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0) / 2;
      expect(totalVariation).toBeGreaterThan(0.1);
      const sms = (e: EngagementEvent) => e.channel === 'sms';
      expect(share(sessions(after(run.events)), sms) - share(sessions(after(none.events)), sms)).toBeGreaterThan(0.04);
    });

    it('lowers the frozen model’s AUC and raises its log loss', () => {
      expect(noneModel.all.auc - model.all.auc).toBeGreaterThan(0.02);
      expect(model.all.logloss - noneModel.all.logloss).toBeGreaterThan(0.015);
    });
  });

  it('applies several drifts in order, deterministically', () => {
    const drift: DriftOptions[] = [
      { kind: 'difficulty', day: 5, levels: -1 },
      { kind: 'channel-preference', day: 8, share: 0.5, to: 'web' },
      { kind: 'new-region', day: 9, region: 'oceania', learners: 4, hourShift: -10 },
    ];
    const options = { seed: 'many', learners: 20, days: 14, startTimeMs: START, drift };
    const a = [...createSimulation(options)];
    expect([...createSimulation(options)]).toEqual(a);
    expect(a.filter((e) => e.profile?.region === 'oceania').length).toBeGreaterThan(10);
    expect(
      createSimulation(options)
        .learners.map((l) => l.entityId)
        .slice(-1),
    ).toEqual(['learner-oceania-000023']);
  });

  it.each([
    [
      { kind: 'tides', day: 3 },
      RangeError,
      'drift.kind must be one of channel-preference, delivery-outage, difficulty, new-region',
    ],
    [{ kind: 'difficulty', day: 31 }, RangeError, 'drift.day must be in [0, 30], got 31'],
    [{ kind: 'difficulty', day: 3, levels: 3 }, RangeError, 'drift.levels must be in [-2, 2], got 3'],
    [{ kind: 'channel-preference', day: 3, share: 1.5 }, RangeError, 'drift.share must be in [0, 1], got 1.5'],
    [{ kind: 'channel-preference', day: 3, to: 'fax' }, RangeError, 'drift.to must be one of slack, sms, email, web'],
    [{ kind: 'new-region', day: 3, region: '' }, RangeError, 'drift.region must not be empty'],
    [{ kind: 'new-region', day: 28, joinSpreadDays: 5 }, RangeError, 'drift.joinSpreadDays must be in [0, 2], got 5'],
    [
      [
        { kind: 'difficulty', day: 3 },
        { kind: 'new-region', day: 3, hourShift: 13 },
      ],
      RangeError,
      'drift[1].hourShift',
    ],
    [[null], TypeError, 'drift[0] must be an object, got null'],
  ])('rejects %p', (drift, type, message) => {
    const create = () => createSimulation({ days: 30, drift: drift as SimulationOptions['drift'] });
    expect(create).toThrow(type);
    expect(create).toThrow(message);
  });
});
