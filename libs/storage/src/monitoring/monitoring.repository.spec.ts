import type { Storage } from '../data-source';
import { registryBackends, uniqueModel } from '../testing/model-registry.fixtures';
import { MonitoringRepository } from './monitoring.repository';
import type {
  DriftWindowDelta,
  MaturingPrediction,
  MonitoredPrediction,
  OutcomeEvent,
  StoredAlert,
  StoredDriftWindow,
} from './monitoring.types';

const HOUR = 3_600_000;
const BINS = 12;

// maturePredictions takes every model's due rows: each test lives in its own span of time, below every
// earlier test's, so rows an earlier test left unlabelled are never due at a later test's watermark.
const SPAN = 10_000 * HOUR;
let epochs = 0;
const nextEpoch = () => 1_700_000_000_000 - ++epochs * SPAN;

function prediction(
  model: string,
  id: string,
  asOfMs: number,
  overrides: Partial<MonitoredPrediction> = {},
): MonitoredPrediction {
  return {
    predictionId: `${model}:${id}`,
    model,
    modelVersion: 1,
    entityId: `${model}:entity`,
    triggerEventId: `${model}:trigger:${id}`,
    contentId: `content-${id.length % 3}`,
    channel: 'email',
    asOfMs,
    score: 0.5,
    fallback: false,
    maturesAtMs: asOfMs + 24 * HOUR,
    ...overrides,
  };
}

const windowStart = (asOfMs: number) => Math.floor(asOfMs / HOUR) * HOUR;

/**
 * One delta per prediction and feature, not aggregated (a legal caller shape): 'score' in 12 bins of
 * [0, 1) with below/above counted in the end bins and summed; 'content' missing without a content id.
 */
function binsPerPrediction(predictions: readonly MonitoredPrediction[]): DriftWindowDelta[] {
  const deltas: DriftWindowDelta[] = [];
  for (const p of predictions) {
    const base = { model: p.model, modelVersion: p.modelVersion, windowMs: HOUR, windowStartMs: windowStart(p.asOfMs) };
    const counts = new Array<number>(BINS).fill(0);
    counts[Math.min(BINS - 1, Math.max(0, Math.floor(p.score * BINS)))] = 1;
    deltas.push({
      ...base,
      feature: 'score',
      profileKey: 'score@v1',
      counts,
      total: 1,
      missing: 0,
      underflowSum: p.score < 0 ? p.score : 0,
      overflowSum: p.score >= 1 ? p.score : 0,
    });
    const content = new Array<number>(BINS).fill(0);
    if (p.contentId !== undefined) content[Number(p.contentId.slice(-1)) % BINS] = 1;
    deltas.push({
      ...base,
      feature: 'content',
      profileKey: 'content@v1',
      counts: content,
      total: 1,
      missing: p.contentId === undefined ? 1 : 0,
      underflowSum: 0,
      overflowSum: 0,
    });
  }
  return deltas;
}

const windowKey = (d: DriftWindowDelta) => `${d.model}|${d.modelVersion}|${d.windowMs}|${d.windowStartMs}|${d.feature}`;

/** The windows the deltas add up to, element-wise, keyed and sorted like driftWindows(). */
function sumDeltas(deltas: readonly DriftWindowDelta[]): Map<string, StoredDriftWindow> {
  const out = new Map<string, StoredDriftWindow>();
  for (const d of deltas) {
    const seen = out.get(windowKey(d));
    out.set(
      windowKey(d),
      seen === undefined
        ? { ...d, counts: [...d.counts] }
        : {
            ...seen,
            counts: seen.counts.map((c, i) => c + d.counts[i]),
            total: seen.total + d.total,
            missing: seen.missing + d.missing,
            underflowSum: seen.underflowSum + d.underflowSum,
            overflowSum: seen.overflowSum + d.overflowSum,
          },
    );
  }
  return out;
}

/** A binsOf that records what it was handed. */
function spyBins(make: (fresh: readonly MonitoredPrediction[]) => DriftWindowDelta[] = binsPerPrediction) {
  const calls: MonitoredPrediction[][] = [];
  return {
    calls,
    binsOf: (fresh: readonly MonitoredPrediction[]) => {
      calls.push([...fresh]);
      return make(fresh);
    },
  };
}

const ids = (ps: readonly { predictionId: string }[]) => ps.map((p) => p.predictionId).sort();

describe.each(registryBackends)('MonitoringRepository (%s)', (_name, backend) => {
  let stop: () => Promise<void>;
  let storage: Storage;
  let repo: MonitoringRepository;

  beforeAll(async () => {
    ({ storage, stop } = await backend.start());
    repo = new MonitoringRepository(storage.dataSource);
  }, 60_000);
  afterAll(() => stop());

  /** Every drift window of `model` in the database, as sumDeltas keys them. */
  async function storedWindows(model: string): Promise<Map<string, StoredDriftWindow>> {
    const keys: { model_version: number; window_ms: string; window_start_ms: string }[] =
      await storage.dataSource.query(
        `SELECT DISTINCT model_version, window_ms, window_start_ms FROM monitoring_drift_windows WHERE model = $1`,
        [model],
      );
    const out = new Map<string, StoredDriftWindow>();
    for (const k of keys)
      for (const w of await repo.driftWindows(model, k.model_version, Number(k.window_ms), Number(k.window_start_ms)))
        out.set(windowKey(w), w);
    return out;
  }

  const predictionCount = async (model: string) =>
    Number(
      (
        (await storage.dataSource.query(`SELECT count(*)::int AS n FROM monitoring_predictions WHERE model = $1`, [
          model,
        ])) as { n: number }[]
      )[0].n,
    );

  describe('recordPredictions', () => {
    it('inserts each prediction once and adds the bins of the new ones only', async () => {
      const model = uniqueModel('drift');
      const t0 = nextEpoch();
      // Three windows, two versions, scores below, inside and above [0, 1) (sums exact in binary).
      const all = Array.from({ length: 40 }, (_, i) =>
        prediction(model, `p${i}`, t0 + Math.floor((i * 3 * HOUR) / 40), {
          modelVersion: 1 + (i % 2),
          score: i % 7 === 0 ? -i / 8 : i % 11 === 0 ? 1 + i / 4 : ((i * 5) % 64) / 64,
          ...(i % 5 === 0 ? { contentId: undefined } : {}),
        }),
      );
      const spy = spyBins();
      const inserted: MonitoredPrediction[] = [];
      const record = async (batch: MonitoredPrediction[], expectedNew: MonitoredPrediction[]) => {
        const before = spy.calls.length;
        expect(await repo.recordPredictions(batch, spy.binsOf)).toBe(expectedNew.length);
        // Called with exactly the new ones (or not at all when none is new).
        const handed = spy.calls.slice(before).flat();
        expect(spy.calls.length - before).toBeLessThanOrEqual(1);
        expect(ids(handed)).toEqual(ids(expectedNew));
        expect(handed).toEqual(expect.arrayContaining(expectedNew));
        inserted.push(...expectedNew);
        expect(await predictionCount(model)).toBe(inserted.length);
        expect(await storedWindows(model)).toEqual(sumDeltas(binsPerPrediction(inserted)));
      };

      await record(all.slice(0, 10), all.slice(0, 10));
      // The same batch again: nothing new, no bins.
      await record(all.slice(0, 10), []);
      // Overlapping batch: only 10..19 are new.
      await record(all.slice(5, 20), all.slice(10, 20));
      // Duplicates inside a batch (and of stored rows): each new one once.
      await record([all[20], all[20], all[3], all[21], all[20], all[21], all[19]], [all[20], all[21]]);
      // Everything, shuffled, twice over.
      const rest = all.slice(22);
      await record([...all].reverse().concat(all), rest);
      expect(spy.calls.flat()).toHaveLength(all.length);
      expect(await repo.recordPredictions([], spy.binsOf)).toBe(0);

      // The row is the prediction.
      const row: Record<string, unknown>[] = await storage.dataSource.query(
        `SELECT model_version, entity_id, trigger_event_id, content_id, channel, as_of_ms, score, fallback, matures_at_ms,
           label FROM monitoring_predictions WHERE prediction_id = $1`,
        [all[14].predictionId],
      );
      expect(row).toEqual([
        {
          model_version: 1,
          entity_id: all[14].entityId,
          trigger_event_id: all[14].triggerEventId,
          content_id: all[14].contentId,
          channel: 'email',
          as_of_ms: String(all[14].asOfMs),
          score: all[14].score,
          fallback: false,
          matures_at_ms: String(all[14].maturesAtMs),
          label: null,
        },
      ]);
    });

    it('counts once when two calls with overlapping ids race', async () => {
      const model = uniqueModel('race');
      const t0 = nextEpoch();
      const all = Array.from({ length: 300 }, (_, i) =>
        prediction(model, `p${String(i).padStart(3, '0')}`, t0 + i * 60_000, { score: (i % 64) / 64 }),
      );
      for (let round = 0; round < 3; round++) {
        const slice = all.slice(round * 100, round * 100 + 100);
        const a = spyBins();
        const b = spyBins();
        // Overlapping halves, one in reverse order (a lock-order deadlock would fail the call).
        const [na, nb] = await Promise.all([
          repo.recordPredictions(slice.slice(0, 70), a.binsOf),
          repo.recordPredictions(slice.slice(30).reverse(), b.binsOf),
        ]);
        expect(na + nb).toBe(100);
        const handed = [...a.calls.flat(), ...b.calls.flat()];
        expect(ids(handed)).toEqual(ids(slice));
        expect(a.calls.flat()).toHaveLength(na);
        expect(b.calls.flat()).toHaveLength(nb);
      }
      expect(await predictionCount(model)).toBe(300);
      expect(await storedWindows(model)).toEqual(sumDeltas(binsPerPrediction(all)));
    });

    it("adds many copies' deltas for one window element-wise, in one call and across concurrent calls", async () => {
      const model = uniqueModel('merge');
      const t0 = windowStart(nextEpoch());
      let seed = 7;
      const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
      const delta = (): DriftWindowDelta => ({
        model,
        modelVersion: 3,
        windowMs: HOUR,
        windowStartMs: t0,
        feature: 'learner.streak_days',
        profileKey: 'streak@v3',
        counts: Array.from({ length: BINS }, () => next() % 50),
        total: next() % 1000,
        missing: next() % 20,
        underflowSum: -(next() % 4096) / 16,
        overflowSum: (next() % 4096) / 32,
      });
      // Each "copy" records one new prediction whose bins are several partial windows of the same key.
      const copies = Array.from({ length: 12 }, (_, c) => ({
        p: prediction(model, `copy${c}`, t0 + c),
        deltas: Array.from({ length: 1 + (c % 4) }, delta),
      }));
      const binsOf = (c: (typeof copies)[number]) => (fresh: readonly MonitoredPrediction[]) =>
        fresh.length === 0 ? [] : c.deltas;
      await Promise.all(copies.map((c) => repo.recordPredictions([c.p], binsOf(c))));
      const expected = sumDeltas(copies.flatMap((c) => c.deltas));
      const stored = await repo.driftWindows(model, 3, HOUR, t0);
      expect(stored).toEqual([...expected.values()]);
      expect(stored[0].counts).toHaveLength(BINS);
      // Redelivery of every copy adds nothing.
      await Promise.all(copies.map((c) => repo.recordPredictions([c.p], binsOf(c))));
      expect(await repo.driftWindows(model, 3, HOUR, t0)).toEqual(stored);
    });

    it('inserts nothing when the bins cannot be added, so a retry counts them', async () => {
      const model = uniqueModel('atomic');
      const t0 = windowStart(nextEpoch());
      const p = prediction(model, 'p', t0);
      const [d] = binsPerPrediction([p]);
      await expect(repo.recordPredictions([p], () => [d, { ...d, counts: [1] }])).rejects.toThrow(RangeError);
      await expect(
        repo.recordPredictions([p], () => {
          throw new Error('binning failed');
        }),
      ).rejects.toThrow('binning failed');
      expect(await predictionCount(model)).toBe(0);
      expect(await repo.recordPredictions([p], (fresh) => binsPerPrediction(fresh))).toBe(1);
      expect(await storedWindows(model)).toEqual(sumDeltas(binsPerPrediction([p])));
    });
  });

  describe('recordOutcomes', () => {
    it('stores events once, keeps the newest profile and only moves the watermark forward', async () => {
      const e = uniqueModel('learner');
      const t0 = nextEpoch();
      const ev = (n: number, entity = e): OutcomeEvent => ({
        entityId: entity,
        eventId: `${entity}:ev${n}`,
        eventType: n % 2 === 0 ? 'lesson_completed' : 'assessment_answered',
        eventTimeMs: t0 + n * 1000,
        channel: 'push',
        ...(n % 3 === 0 ? {} : { contentId: `c${n}` }),
      });
      const eventRows = async () =>
        (await storage.dataSource.query(
          `SELECT entity_id, event_id, event_type, event_time_ms, channel, content_id FROM monitoring_outcome_events
           WHERE entity_id LIKE $1 || '%' ORDER BY entity_id, event_time_ms, event_id`,
          [e],
        )) as Record<string, unknown>[];
      const profileOf = async (entity: string) =>
        (await storage.dataSource.query(`SELECT profile, event_time_ms FROM monitoring_profiles WHERE entity_id = $1`, [
          entity,
        ])) as { profile: Record<string, string>; event_time_ms: string }[];

      const before = (await repo.watermark()) ?? 0;
      const w = Math.max(before, t0) + 1_000_000;
      await repo.recordOutcomes(
        [ev(1), ev(2), ev(2)],
        [{ entityId: e, profile: { region: 'eu' }, eventTimeMs: t0 + 5 }],
        w,
      );
      await repo.recordOutcomes([ev(2), ev(1), ev(3), ev(1, `${e}-b`)], [], w - 500);
      expect(await repo.watermark()).toBe(w);
      const rows = await eventRows();
      expect(rows).toHaveLength(4);
      expect(rows[0]).toEqual({
        entity_id: e,
        event_id: `${e}:ev1`,
        event_type: 'assessment_answered',
        event_time_ms: String(t0 + 1000),
        channel: 'push',
        content_id: 'c1',
      });
      expect(rows.map((r) => r.event_id)).toEqual([`${e}:ev1`, `${e}:ev2`, `${e}:ev3`, `${e}-b:ev1`]);
      expect(rows[2].content_id).toBeNull();

      // An older profile arriving later does not overwrite; a newer one does; within a batch the newest wins.
      await repo.recordOutcomes([], [{ entityId: e, profile: { region: 'us' }, eventTimeMs: t0 + 4 }], w);
      expect(await profileOf(e)).toEqual([{ profile: { region: 'eu' }, event_time_ms: String(t0 + 5) }]);
      await repo.recordOutcomes(
        [],
        [
          { entityId: e, profile: { region: 'apac', tier: 'pro' }, eventTimeMs: t0 + 9 },
          { entityId: e, profile: { region: 'latam' }, eventTimeMs: t0 + 7 },
          { entityId: `${e}-b`, profile: { region: 'eu' }, eventTimeMs: t0 },
        ],
        w + 10,
      );
      expect(await profileOf(e)).toEqual([{ profile: { region: 'apac', tier: 'pro' }, event_time_ms: String(t0 + 9) }]);
      expect(await profileOf(`${e}-b`)).toEqual([{ profile: { region: 'eu' }, event_time_ms: String(t0) }]);
      expect(await repo.watermark()).toBe(w + 10);
      await repo.recordOutcomes([], [], w + 3);
      expect(await repo.watermark()).toBe(w + 10);
      expect(await repo.watermark('no-such-watermark')).toBeNull();
      await expect(repo.recordOutcomes([], [], 1.5)).rejects.toThrow(/watermarkMs/);
    });
  });

  describe('maturePredictions', () => {
    it("hands only due, unlabelled predictions to label, with their entity's events in (as-of, matures-at]", async () => {
      const model = uniqueModel('mature');
      const t0 = nextEpoch();
      const a = `${model}:a`;
      const b = `${model}:b`;
      const H = 24 * HOUR;
      const p1 = prediction(model, 'p1', t0, { entityId: a, maturesAtMs: t0 + H });
      // The same entity's next prediction: its window starts where p1's ends.
      const p2 = prediction(model, 'p2', t0 + H, { entityId: a, maturesAtMs: t0 + 2 * H });
      const p3 = prediction(model, 'p3', t0 + 10, { entityId: b, maturesAtMs: t0 + 10 + H });
      // Not due at the watermark.
      const p4 = prediction(model, 'p4', t0 + 2 * H, { entityId: a, maturesAtMs: t0 + 3 * H });
      await repo.recordPredictions([p1, p2, p3, p4], () => []);
      const ev = (entityId: string, n: string, eventTimeMs: number): OutcomeEvent => ({
        entityId,
        eventId: `${entityId}:${n}`,
        eventType: 'lesson_completed',
        eventTimeMs,
        channel: 'email',
      });
      const events = [
        ev(a, 'before', t0 - 1),
        ev(a, 'at-as-of', t0),
        ev(a, 'inside', t0 + 1),
        ev(a, 'at-matures', t0 + H),
        ev(a, 'after', t0 + H + 1),
        ev(a, 'p2-end', t0 + 2 * H),
        ev(a, 'p4-only', t0 + 2 * H + 1),
        ev(b, 'b-inside', t0 + 500),
      ];
      await repo.recordOutcomes(events, [], t0 + 2 * H);

      const handed = new Map<string, { p: MaturingPrediction; events: string[] }>();
      const label = (p: MaturingPrediction, es: readonly OutcomeEvent[]): 0 | 1 => {
        handed.set(p.predictionId, { p, events: es.map((x) => x.eventId) });
        return es.some((x) => x.eventId.endsWith(':inside')) ? 1 : 0;
      };
      const out = await repo.maturePredictions(t0 + 2 * H, 100, label);
      expect(out).toHaveLength(3);
      expect([...handed.keys()].sort()).toEqual(ids([p1, p2, p3]));
      expect(handed.get(p1.predictionId)).toEqual({
        p: {
          predictionId: p1.predictionId,
          model,
          entityId: a,
          contentId: p1.contentId,
          channel: 'email',
          asOfMs: t0,
          maturesAtMs: t0 + H,
        },
        events: [`${a}:inside`, `${a}:at-matures`],
      });
      expect(handed.get(p2.predictionId)!.events).toEqual([`${a}:after`, `${a}:p2-end`]);
      expect(handed.get(p3.predictionId)!.events).toEqual([`${b}:b-inside`]);
      expect(out.filter((o) => o.label === 1)).toEqual([{ model, label: 1 }]);

      const labels: { prediction_id: string; label: number | null; labelled: boolean }[] =
        await storage.dataSource.query(
          `SELECT prediction_id, label, labelled_at IS NOT NULL AS labelled FROM monitoring_predictions WHERE model = $1
         ORDER BY prediction_id`,
          [model],
        );
      expect(labels).toEqual([
        { prediction_id: p1.predictionId, label: 1, labelled: true },
        { prediction_id: p2.predictionId, label: 0, labelled: true },
        { prediction_id: p3.predictionId, label: 0, labelled: true },
        { prediction_id: p4.predictionId, label: null, labelled: false },
      ]);

      // Labelled once: nothing more is due, whatever arrives later; p4 becomes due at its horizon.
      handed.clear();
      await repo.recordOutcomes([ev(a, 'late', t0 + 2)], [], t0 + 2 * H);
      expect(await repo.maturePredictions(t0 + 2 * H, 100, label)).toEqual([]);
      expect(await repo.maturePredictions(t0 + 3 * H - 1, 100, label)).toEqual([]);
      expect(await repo.maturePredictions(t0 + 3 * H, 100, label)).toEqual([{ model, label: 0 }]);
      expect([...handed.keys()]).toEqual([p4.predictionId]);
      expect(handed.get(p4.predictionId)!.events).toEqual([`${a}:p4-only`]);
      expect(await repo.maturePredictions(t0 + 3 * H, 100, label)).toEqual([]);
    });

    it('honours the limit, oldest horizon first', async () => {
      const model = uniqueModel('limit');
      const t0 = nextEpoch();
      const ps = Array.from({ length: 10 }, (_, i) =>
        prediction(model, `p${i}`, t0 + i, { entityId: `${model}:e${i}`, maturesAtMs: t0 + 100 + (9 - i) }),
      );
      await repo.recordPredictions(ps, () => []);
      const seen: string[] = [];
      const label = (p: MaturingPrediction): 0 | 1 => (seen.push(p.predictionId), 0);
      const sizes: number[] = [];
      for (let i = 0; i < 5; i++) sizes.push((await repo.maturePredictions(t0 + 200, 3, label)).length);
      expect(sizes).toEqual([3, 3, 3, 1, 0]);
      expect(seen).toEqual(ps.map((p) => p.predictionId).reverse());
      expect(() => repo.maturePredictions(t0, 0, label)).toThrow(/limit/);
      expect(() => repo.maturePredictions(t0 + 0.5, 1, label)).toThrow(/watermarkMs/);
    });

    it('labels each of 500 due predictions exactly once when two calls race', async () => {
      const model = uniqueModel('racemature');
      const t0 = nextEpoch();
      const ps = Array.from({ length: 500 }, (_, i) =>
        prediction(model, `p${String(i).padStart(3, '0')}`, t0 + i, {
          entityId: `${model}:e${i % 37}`,
          maturesAtMs: t0 + 1000 + (i % 50),
        }),
      );
      await repo.recordPredictions(ps, () => []);
      await repo.recordOutcomes(
        ps.slice(0, 37).map((p, i) => ({
          entityId: p.entityId,
          eventId: `${p.entityId}:done`,
          eventType: 'lesson_completed',
          eventTimeMs: t0 + 500 + i,
          channel: 'email',
        })),
        [],
        t0 + 2000,
      );
      // Call A labels 1 and call B labels 0: the stored label says which call wrote it.
      const handedA: string[] = [];
      const handedB: string[] = [];
      const [outA, outB] = await Promise.all([
        repo.maturePredictions(t0 + 2000, 300, (p) => (handedA.push(p.predictionId), 1)),
        repo.maturePredictions(t0 + 2000, 300, (p) => (handedB.push(p.predictionId), 0)),
      ]);
      expect(outA.length + outB.length).toBe(500);
      expect(outA.every((o) => o.label === 1 && o.model === model)).toBe(true);
      expect(outB.every((o) => o.label === 0 && o.model === model)).toBe(true);
      expect(handedA).toHaveLength(outA.length);
      expect(handedB).toHaveLength(outB.length);
      expect(new Set([...handedA, ...handedB]).size).toBe(500);
      const rows: { prediction_id: string; label: number | null }[] = await storage.dataSource.query(
        `SELECT prediction_id, label FROM monitoring_predictions WHERE model = $1 ORDER BY prediction_id`,
        [model],
      );
      expect(rows.filter((r) => r.label === 1).map((r) => r.prediction_id)).toEqual([...handedA].sort());
      expect(rows.filter((r) => r.label === 0).map((r) => r.prediction_id)).toEqual([...handedB].sort());
      expect(rows.filter((r) => r.label === null)).toEqual([]);
      expect(await repo.maturePredictions(t0 + 2000, 1000, () => 1)).toEqual([]);
    });
  });

  describe('windowRows and latest', () => {
    it("returns the window's rows with labels and profiles, and the newest non-fallback prediction", async () => {
      const model = uniqueModel('window');
      const other = uniqueModel('window-other');
      const t0 = windowStart(nextEpoch());
      const withProfile = `${model}:eu`;
      const noProfile = `${model}:none`;
      const ps = [
        prediction(model, 'first', t0, { entityId: withProfile, score: 0.25, maturesAtMs: t0 + 10 }),
        prediction(model, 'mid', t0 + 1800_000, { entityId: noProfile, score: 0.75, modelVersion: 2 }),
        prediction(model, 'fallback', t0 + HOUR - 1, { entityId: noProfile, fallback: true, modelVersion: 1 }),
        prediction(model, 'next-window', t0 + HOUR, { entityId: withProfile, modelVersion: 4 }),
        prediction(model, 'before', t0 - 1, { entityId: withProfile }),
        prediction(other, 'x', t0 + 5, { entityId: withProfile }),
      ];
      await repo.recordPredictions(ps, () => []);
      await repo.recordOutcomes([], [{ entityId: withProfile, profile: { region: 'eu' }, eventTimeMs: t0 }], t0 + 10);
      // Only 'first' (and 'before', whose horizon is later) could mature; 'first' matures now.
      expect(await repo.maturePredictions(t0 + 10, 100, () => 1)).toEqual([{ model, label: 1 }]);

      const rows = await repo.windowRows(model, t0, t0 + HOUR);
      const bySc = [...rows].sort((x, y) => x.score - y.score || Number(x.fallback) - Number(y.fallback));
      expect(bySc).toEqual([
        { entityId: withProfile, modelVersion: 1, score: 0.25, label: 1, fallback: false, profile: { region: 'eu' } },
        { entityId: noProfile, modelVersion: 1, score: 0.5, label: null, fallback: true, profile: null },
        { entityId: noProfile, modelVersion: 2, score: 0.75, label: null, fallback: false, profile: null },
      ]);
      expect(await repo.windowRows(model, t0 + HOUR, t0 + 2 * HOUR)).toEqual([
        { entityId: withProfile, modelVersion: 4, score: 0.5, label: null, fallback: false, profile: { region: 'eu' } },
      ]);
      expect(await repo.windowRows(uniqueModel('absent'), t0, t0 + HOUR)).toEqual([]);
      await expect(repo.windowRows('', t0, t0 + HOUR)).rejects.toThrow(/model/);

      expect(await repo.latest(model)).toEqual({ asOfMs: t0 + HOUR, modelVersion: 4 });
      // A newer fallback does not count.
      await repo.recordPredictions(
        [prediction(model, 'late-fallback', t0 + 2 * HOUR, { fallback: true, modelVersion: 9 })],
        () => [],
      );
      expect(await repo.latest(model)).toEqual({ asOfMs: t0 + HOUR, modelVersion: 4 });
      expect(await repo.latest(other)).toEqual({ asOfMs: t0 + 5, modelVersion: 1 });
      expect(await repo.latest(uniqueModel('absent'))).toBeNull();
    });
  });

  describe('outcomeWatermark', () => {
    it('takes the least of the active partitions; all idle, the newest — unless idling is not allowed yet', async () => {
      await repo.recordOutcomes([], [], 1_000, 'p0');
      await repo.recordOutcomes([], [], 5_000, 'p1');
      expect(await repo.outcomeWatermark({ idleMs: 60_000 })).toBe(1_000);
      expect(await repo.outcomeWatermark({ idleMs: 60_000, partitions: ['p0', 'p9'] })).toBeNull();
      // Both unmoved for an hour (a copy that was down): idle, so the newest...
      await storage.dataSource.query(
        `UPDATE monitoring_watermarks SET updated_at = now() - interval '1 hour' WHERE name LIKE 'outcomes/%'`,
      );
      expect(await repo.outcomeWatermark({ idleMs: 60_000 })).toBe(5_000);
      // ...but not before idleFromMs: a copy just started has not yet read the lagging one's backlog.
      expect(await repo.outcomeWatermark({ idleMs: 60_000, idleFromMs: Date.now() + 60_000 })).toBe(1_000);
      expect(await repo.outcomeWatermark({ idleMs: 60_000, idleFromMs: Date.now() - 1 })).toBe(5_000);
      // One moving again: the others idle are left out.
      await repo.recordOutcomes([], [], 2_000, 'p0');
      expect(await repo.outcomeWatermark({ idleMs: 60_000 })).toBe(2_000);
    });
  });

  describe('updateAlert', () => {
    const alertOf = (model: string, over: Partial<Omit<StoredAlert, 'updatedAt'>> = {}) => ({
      rule: 'drift_psi',
      key: model,
      model,
      kind: 'drift',
      firing: false,
      firedAtMs: null,
      quietUntilMs: 0,
      value: 0,
      threshold: 0.2,
      message: '',
      ...over,
    });
    const pendingOf = async (marker: string) =>
      (await repo.pendingAlertMessages(10_000)).filter((m) => m.payload.marker === marker);

    it('hands decide null then the stored alert, and writes messages to the outbox only when given', async () => {
      const model = uniqueModel('alert');
      const seen: (StoredAlert | null)[] = [];
      const fired = alertOf(model, {
        firing: true,
        firedAtMs: 1_000,
        quietUntilMs: 5_000,
        value: 0.31,
        message: 'psi 0.31 > 0.2',
      });
      expect(
        await repo.updateAlert('drift_psi', model, (cur) => {
          seen.push(cur);
          return { alert: fired, messages: [{ marker: model, state: 'firing', n: 1 }] };
        }),
      ).toBe(true);
      expect(seen).toEqual([null]);

      // No transition: the state is written, no message.
      const start = Date.now();
      expect(
        await repo.updateAlert('drift_psi', model, (cur) => {
          seen.push(cur);
          return { alert: { ...fired, value: 0.35 }, messages: [] };
        }),
      ).toBe(false);
      const { updatedAt, ...stored } = seen[1]!;
      expect(stored).toEqual(fired);
      expect(new Date(updatedAt).toISOString()).toBe(updatedAt);
      expect(Date.parse(updatedAt)).toBeLessThanOrEqual(start + 1000);

      // decide returning null writes nothing.
      expect(
        await repo.updateAlert('drift_psi', model, (cur) => {
          seen.push(cur);
          return null;
        }),
      ).toBe(false);
      expect(seen[2]).toMatchObject({ value: 0.35, firing: true });
      expect(
        await repo.updateAlert('drift_psi', model, (cur) => {
          seen.push(cur);
          return {
            alert: { ...fired, firing: false, value: 0.1, message: 'resolved' },
            messages: [
              { marker: model, state: 'resolved', n: 2 },
              { marker: model, state: 'summary', n: 3 },
            ],
          };
        }),
      ).toBe(true);
      expect(seen[3]).toMatchObject({ value: 0.35 });

      const mine = (await repo.alerts()).filter((x) => x.key === model);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        rule: 'drift_psi',
        firing: false,
        value: 0.1,
        message: 'resolved',
        firedAtMs: 1000,
      });
      expect((await repo.alerts({ firing: true })).some((x) => x.key === model)).toBe(false);
      expect((await repo.alerts({ firing: false })).some((x) => x.key === model)).toBe(true);
      // Another key of the same rule is another alert.
      expect(await repo.updateAlert('drift_psi', `${model}-2`, (cur) => (seen.push(cur), null))).toBe(false);
      expect(seen[4]).toBeNull();

      const pending = await pendingOf(model);
      expect(pending.map((m) => m.payload)).toEqual([
        { marker: model, state: 'firing', n: 1 },
        { marker: model, state: 'resolved', n: 2 },
        { marker: model, state: 'summary', n: 3 },
      ]);
      expect(pending.every((m) => /^[1-9][0-9]*$/.test(m.id))).toBe(true);
      await repo.markAlertMessagesPublished(pending.slice(0, 2).map((m) => m.id));
      expect((await pendingOf(model)).map((m) => m.payload.n)).toEqual([3]);
      // Publishing again is harmless; a made-up id is refused before any query.
      await repo.markAlertMessagesPublished(pending.map((m) => m.id));
      expect(await pendingOf(model)).toEqual([]);
      await repo.markAlertMessagesPublished([]);
      await expect(repo.markAlertMessagesPublished(['1', '1; DROP TABLE x'])).rejects.toThrow(TypeError);
      await expect(repo.markAlertMessagesPublished(['0'])).rejects.toThrow(/ids\[0\]/);
      const published: { n: number }[] = await storage.dataSource.query(
        `SELECT count(*)::int AS n FROM monitoring_alert_outbox WHERE payload->>'marker' = $1 AND published_at IS NOT NULL`,
        [model],
      );
      expect(published).toEqual([{ n: 3 }]);
    });

    it("tells decide when the model's last retraining was requested (from the outbox), with a model given", async () => {
      const model = uniqueModel('retrain');
      const alert = (firing: boolean) => ({
        rule: 'feature_drift',
        key: model,
        model,
        kind: 'drift',
        firing,
        firedAtMs: firing ? 1 : null,
        quietUntilMs: 0,
        value: 1,
        threshold: 1,
        message: 'm',
      });
      const histories: { lastTrainingRequestMs: number | null }[] = [];
      await repo.updateAlert(
        'feature_drift',
        model,
        (_cur, history) => {
          histories.push(history);
          return {
            alert: alert(true),
            messages: [{ topic: 'training', key: model, message: { model, requestedAtMs: 5000 } }],
          };
        },
        { model },
      );
      await repo.updateAlert('auc_drop', model, (_cur, history) => (histories.push(history), null), { model });
      await repo.updateAlert('auc_drop', uniqueModel('other'), (_cur, history) => (histories.push(history), null), {
        model: uniqueModel('other'),
      });
      await repo.updateAlert('auc_drop', model, (_cur, history) => (histories.push(history), null));
      expect(histories.map((h) => h.lastTrainingRequestMs)).toEqual([null, 5000, null, null]);
    });

    it('serialises concurrent evaluations of one alert', async () => {
      const model = uniqueModel('alertrace');
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          repo.updateAlert('counter', model, (cur) => {
            const value = (cur?.value ?? 0) + 1;
            return {
              alert: alertOf(model, { rule: 'counter', value }),
              messages: value === 10 ? [{ marker: model, from: i }] : [],
            };
          }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await repo.alerts()).find((x) => x.rule === 'counter' && x.key === model)).toMatchObject({ value: 10 });
      expect(await pendingOf(model)).toHaveLength(1);
    });
  });
});
