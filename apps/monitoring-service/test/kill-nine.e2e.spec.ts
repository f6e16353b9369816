import { CONTENT_TYPE_HEADER, decodePrediction, type EngagementEvent, type PredictionMessage } from '@pulse/contracts';
import { Prng } from '@pulse/core';
import { DriftWindow, type ReferenceProfile } from '@pulse/drift';
import { windowStart } from '@pulse/monitoring';
import { SCORE_FEATURE } from '@pulse/monitoring-service';
import { ModelRegistryRepository } from '@pulse/storage';
import { waitFor, type ServiceProcess } from '@pulse/testing';
import type { Admin } from 'kafkajs';
import {
  auditRowsBetween,
  committedOffsets,
  counterSum,
  endOffsets,
  groupLag,
  installAudit,
  kafkaAdmin,
  monitoringGroups,
  monitoringProcess,
  recordedCommits,
} from './child-monitoring.harness';
import {
  championPrediction,
  HARNESS_FEATURES as FEATURES,
  MonitoringServiceHarness,
  outcomes,
  seededRandom,
  type Sent,
} from './monitoring-service.harness';

// monitoring-service — the built app, a child process — records a stream of 3,200 predictions over
// four days and the outcome events that label them (a tenth of each sent twice, by a retrying
// producer), and is killed with SIGKILL five times at seeded moments: at 15-30 % of the predictions
// recorded and again while it starts, the instant its first batch after that restart commits in the
// database (its offsets then usually not committed: the batch is read again), right after labels
// begin maturing (the outcome watermark past the 48 h horizon, about half-way), and at 70-85 %. The
// stream is produced a chunk (3 h of event time) at a time, at most two chunks ahead of what both of
// its consumers have done, so kills land with records in flight; each restart is watched from
// the moment it is spawned. Afterwards every prediction is recorded once and labelled once with its
// true label, and every drift window's counts are the ones the undisturbed stream gives (nothing
// counted twice, nothing lost). Test-only triggers on the service's tables audit every insert and
// every label set. PULSE_FAULT_SEED picks another stream and schedule; PULSE_FAULT_VERBOSE=1 prints
// the service's output.
const SEED = process.env.PULSE_FAULT_SEED ?? 'monitoring-kill-nine-1';
const MODEL = 'lesson_completion';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const D0 = Date.UTC(2026, 0, 5);
const DAYS = 4;
const PER_DAY = 800;
/** Chunks of 3 h of event time each. */
const CHUNKS = 32;
const CHUNK_MS = (DAYS * DAY) / CHUNKS;
/** Chunks the producer may be ahead of what is recorded and stored: a backlog in flight at the kills. */
const AHEAD = 2;
/** Clock events keyed so that every partition of the events topic gets some (64 keys over 4 partitions). */
const CLOCK_KEYS = 64;

interface Kill {
  readonly when: string;
  readonly recorded: number;
  readonly labelled: number;
  /** Messages of the predictions and events topics the service's groups had not committed when it was killed. */
  readonly uncommittedPredictions: number;
  readonly uncommittedEvents: number;
  /** Predictions recorded from messages whose offsets were not committed (read again after the restart). */
  recordedNotCommitted: number;
  readonly committed: readonly number[];
  readonly recordedIds: ReadonlySet<string>;
}

/** The world: five standard-normal inputs (shifted by 0.4 on the last day), f5 absent from some predictions, f4 NaN in a few. */
function world(seed: number): Sent[] {
  const { rand, normal } = seededRandom(seed);
  const sent: Sent[] = [];
  for (let d = 0; d < DAYS; d++)
    for (let i = 0; i < PER_DAY; i++) {
      const shift = d === DAYS - 1 ? 0.4 : 0;
      const x = FEATURES.map(() => normal() + shift);
      const z = x[0] - 0.5 * x[1] + 0.3 * normal();
      const score = 1 / (1 + Math.exp(-z));
      const p = championPrediction({
        model: MODEL,
        trigger: `send-${d}-${i}`,
        entityId: `learner-${d}-${i % 200}`,
        contentId: `lesson-${d}-${i}`,
        asOfMs: D0 + d * DAY + Math.floor((i / PER_DAY) * DAY),
        score,
        inputs: x,
      });
      const dropF5 = rand() < 0.08;
      const nanF4 = rand() < 0.03;
      const prediction: PredictionMessage = {
        ...p,
        inputs: p.inputs
          .filter((input) => !(dropF5 && input.name === 'f5'))
          .map((input) => (nanF4 && input.name === 'f4' ? { ...input, value: Number.NaN } : input)),
      };
      sent.push({ prediction, completes: rand() < score });
    }
  return sent;
}

interface Chunk {
  readonly predictions: PredictionMessage[];
  readonly events: EngagementEvent[];
}

describe('monitoring-service killed with SIGKILL mid-stream (child process; Kafka mock, Postgres)', () => {
  const h = new MonitoringServiceHarness(MODEL, 'kill9');
  const groups = monitoringGroups(h);
  const rng = new Prng(SEED);
  const sent = world(rng.int(1, 2_000_000_000));
  const expectedLabel = new Map(sent.map((s) => [s.prediction.predictionId, s.completes ? 1 : 0]));
  const outcomeEvents = outcomes(sent);
  let svc: ServiceProcess;
  let admin: Admin;
  let resent = { predictions: 0, events: 0 };
  let published = 0;
  let onTopic: { partition: number; offset: number; id: string }[] = [];
  const run = { kills: [] as Kill[], errors: [] as string[], timings: {} as Record<string, number> };
  /** Generations of the service: when each was started and (killed ones) when it was gone, by the test's clock. */
  const lives: { startMs: number; endMs: number | null }[] = [];
  /** Per generation, the newest /metrics counters read from it. */
  const scraped = new Map<number, { labels: number; predictions: number }>();
  let caught = { outcomes: [] as number[], predictions: [] as number[] };
  let final = { labels: -1, predictions: -1, auditedLabels: -2, auditedPredictions: -2 };

  const progress = async (): Promise<{ recorded: number; labelled: number }> => {
    const [r] = await h.storage.dataSource.query(
      `SELECT count(*)::int AS recorded, count(label)::int AS labelled FROM monitoring_predictions`,
    );
    return r;
  };
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

  const start = async (options: { ready?: boolean; timeoutMs?: number } = {}) => {
    lives.push({ startMs: Date.now(), endMs: null });
    await svc.start(options);
  };
  const kill = async (when: string) => {
    await svc.kill9(when);
    lives[lives.length - 1].endMs = Date.now();
    const p = await progress();
    if (p.recorded === sent.length) run.errors.push(`every prediction was recorded before the kill "${when}"`);
    const rows: { prediction_id: string }[] = await h.storage.dataSource.query(
      `SELECT prediction_id FROM monitoring_predictions`,
    );
    run.kills.push({
      when,
      ...p,
      uncommittedPredictions: sum(await groupLag(admin, groups.predictions, h.predictionsTopic())),
      uncommittedEvents: sum(await groupLag(admin, groups.outcomes, h.topics.events)),
      recordedNotCommitted: 0,
      committed: await committedOffsets(admin, groups.predictions, h.predictionsTopic()),
      recordedIds: new Set(rows.map((r) => r.prediction_id)),
    });
  };

  beforeAll(async () => {
    const t0 = Date.now();
    const lap = (name: string) => (run.timings[name] = (Date.now() - t0) / 1000);
    // The serving version: its reference is the undrifted world.
    const ref = seededRandom(rng.int(1, 2_000_000_000));
    await h.setUp(
      Array.from({ length: 5000 }, () => FEATURES.map(() => ref.normal())),
      0.8,
    );
    await installAudit(h.storage.dataSource);
    admin = await kafkaAdmin('monitoring-kill-nine');
    // Where each prediction landed on the topic: which records a kill left recorded but not committed.
    onTopic = await h.collect(h.predictionsTopic(), (m) => ({
      partition: m.partition,
      offset: Number(m.offset),
      id: decodePrediction(m.value, m.headers[CONTENT_TYPE_HEADER]).predictionId,
    }));
    svc = await monitoringProcess(h, {
      MONITORING_EVALUATE_MS: '500',
      MONITORING_WINDOWS: '1d',
      MONITORING_IDLE_PARTITION_MS: '5000',
    });
    // Counters read from the running generation (a read that a restart overtook is dropped).
    let scraping = false;
    const scraper = setInterval(() => {
      if (scraping || !svc.running) return;
      scraping = true;
      const generation = lives.length;
      void fetch(`${svc.url}/metrics`, { signal: AbortSignal.timeout(1000) })
        .then((res) => res.text())
        .then((text) => {
          if (generation === lives.length && svc.running)
            scraped.set(generation, {
              labels: counterSum(text, 'pulse_monitoring_labels_total'),
              predictions: counterSum(text, 'pulse_monitoring_predictions_total'),
            });
        })
        .catch(() => undefined)
        .finally(() => (scraping = false));
    }, 200);
    scraper.unref();
    try {
      await start({ timeoutMs: 120_000 });
      lap('first start');

      // Chunks in event-time order, predictions then the outcome events of that time; a tenth of each
      // sent again one to three chunks later (a producer retrying).
      const chunks: Chunk[] = Array.from({ length: CHUNKS }, () => ({ predictions: [], events: [] }));
      const chunkOf = (tMs: number) => Math.min(CHUNKS - 1, Math.floor((tMs - D0) / CHUNK_MS));
      for (const s of sent) chunks[chunkOf(s.prediction.asOfMs)].predictions.push(s.prediction);
      for (const e of outcomeEvents) chunks[chunkOf(e.eventTimeMs)].events.push(e);
      resent = { predictions: 0, events: 0 };
      for (let c = CHUNKS - 1; c >= 0; c--) {
        const { predictions, events } = chunks[c];
        for (const p of [...predictions])
          if (rng.bernoulli(0.1)) {
            chunks[Math.min(CHUNKS - 1, c + rng.int(1, 3))].predictions.push(p);
            resent.predictions++;
          }
        for (const e of [...events])
          if (rng.bernoulli(0.1)) {
            chunks[Math.min(CHUNKS - 1, c + rng.int(1, 3))].events.push(e);
            resent.events++;
          }
      }
      published = sum(chunks.map((c) => c.predictions.length));
      const recordedUpTo = chunks.map(
        (_, c) => new Set(chunks.slice(0, c + 1).flatMap((ch) => ch.predictions.map((p) => p.predictionId))).size,
      );
      lap(
        `stream of ${sent.length} predictions and ${outcomeEvents.length} outcome events, ${resent.predictions} and ${resent.events} re-sent`,
      );

      // The end offsets of the events topic after each chunk: the outcomes consumer is through a chunk
      // once it has committed them.
      const eventsEnd: number[][] = [];
      const producing = (async () => {
        for (let c = 0; c < CHUNKS; c++) {
          if (c >= AHEAD)
            await waitFor(
              async () => {
                if ((await progress()).recorded < recordedUpTo[c - AHEAD]) return false;
                const committed = await committedOffsets(admin, groups.outcomes, h.topics.events);
                return eventsEnd[c - AHEAD].every((end, p) => committed[p] >= end);
              },
              { timeoutMs: 120_000, intervalMs: 20, message: `the service through chunk ${c - AHEAD}` },
            );
          await h.publishPredictions(chunks[c].predictions);
          await h.publishEvents(chunks[c].events);
          eventsEnd.push(await endOffsets(admin, h.topics.events));
        }
        lap('produced');
      })();

      /** Until `condition` holds; fails at once if the service exited on its own. */
      const until = (condition: () => Promise<boolean> | boolean, intervalMs: number, message: string) =>
        waitFor(
          async () => {
            if (!svc.running) throw new Error(`the service exited (generation ${lives.length})`);
            return condition();
          },
          { timeoutMs: 120_000, intervalMs, message },
        );
      const atFraction = async (low: number, high: number) => {
        const target = Math.floor(sent.length * rng.uniform(low, high));
        await until(async () => (await progress()).recorded >= target, 10, `${target} predictions recorded`);
        return `${target} of ${sent.length} predictions recorded`;
      };
      /** Lines the current generation printed that match `pattern`. */
      const printed = (pattern: RegExp) => svc.logLines(pattern).some((l) => l.startsWith(`[#${lives.length}] `));
      const killing = (async () => {
        await kill(await atFraction(0.15, 0.3));

        // Killed again while it starts, at a seeded one of two moments: its first line (connected to
        // Postgres and Kafka, its modules initialising) or its routes mapped (its consumers subscribing
        // and joining their groups) — or its being started, if that comes first.
        const early = rng.bernoulli(0.5);
        await start({ ready: false });
        const seen = await waitFor(
          () => {
            if (!svc.running) return 'its exit';
            if (printed(/successfully started/)) return 'it was started';
            if (early && printed(/./)) return 'its first line';
            if (!early && printed(/Mapped \{\/health\/live/)) return 'its routes mapped, consumers joining';
            return null;
          },
          { timeoutMs: 60_000, intervalMs: 2, message: 'the restarted service starting' },
        );
        await kill(`while starting (${seen})`);

        // The instant the first batch after a restart commits in the database (told by a notification
        // at its commit): its offsets are then usually not committed yet, and the batch is read again.
        const commits = await recordedCommits(h.db!.url);
        try {
          const committing = commits.next(120_000);
          committing.catch(() => undefined); // awaited below
          await start({ ready: false });
          await committing;
          await kill(
            `its first batch recorded after a restart (${printed(/successfully started/) ? 'started' : 'still starting'})`,
          );
        } finally {
          await commits.close();
        }

        // From here each restart is watched from its spawn: its consumers work before it answers /health/live.
        await start({ ready: false });
        await until(async () => (await progress()).labelled > 0, 2, 'the first labels');
        await kill('labels began maturing');

        await start({ ready: false });
        await kill(await atFraction(0.7, 0.85));

        await start({ timeoutMs: 120_000 });
        lap('last kill');
      })();
      for (const [what, p] of [
        ['producing', producing],
        ['kill schedule', killing],
      ] as const) {
        try {
          await p;
        } catch (err) {
          run.errors.push(`${what}: ${(err as Error).message}`);
        }
      }
      // A schedule that failed may have left it dead: started again so that what follows reports the rest.
      if (!svc.running) await start({ timeoutMs: 120_000 }).catch((err) => run.errors.push((err as Error).message));

      // Every outcome event stored before the clock moves past every label's horizon (on every partition).
      try {
        await waitFor(async () => sum(await groupLag(admin, groups.outcomes, h.topics.events)) === 0, {
          timeoutMs: 60_000,
          intervalMs: 100,
          message: 'the outcomes consumer at the end of the events topic',
        });
      } catch (err) {
        run.errors.push((err as Error).message);
      }
      await h.publishEvents(
        Array.from({ length: CLOCK_KEYS }, (_, i) => ({
          eventId: `clock-${i}`,
          entityId: `clock-${i}`,
          eventType: 'session_started',
          eventTimeMs: D0 + (DAYS + 3) * DAY,
          channel: 'email',
          attributes: {},
        })),
      );
      try {
        await waitFor(
          async () => {
            const p = await progress();
            return p.recorded === sent.length && p.labelled === sent.length;
          },
          { timeoutMs: 120_000, intervalMs: 250, message: 'every prediction recorded and labelled' },
        );
      } catch (err) {
        run.errors.push(`${(err as Error).message}: ${JSON.stringify(await progress())} of ${sent.length}`);
      }
      lap('recorded and labelled');
      caught = {
        outcomes: await groupLag(admin, groups.outcomes, h.topics.events),
        predictions: await groupLag(admin, groups.predictions, h.predictionsTopic()),
      };
      // The last generation's counters once they have counted every audited row of its life.
      const life = lives[lives.length - 1];
      const audited = {
        labels: await auditRowsBetween(h.storage.dataSource, 'monitoring_audit_labelled', life.startMs, Date.now()),
        predictions: await auditRowsBetween(
          h.storage.dataSource,
          'monitoring_audit_recorded',
          life.startMs,
          Date.now(),
        ),
      };
      try {
        await waitFor(
          async () => {
            const text = await (await fetch(`${svc.url}/metrics`)).text();
            final = {
              labels: counterSum(text, 'pulse_monitoring_labels_total'),
              predictions: counterSum(text, 'pulse_monitoring_predictions_total'),
              auditedLabels: audited.labels,
              auditedPredictions: audited.predictions,
            };
            return final.labels >= audited.labels && final.predictions >= audited.predictions;
          },
          { timeoutMs: 15_000, intervalMs: 100, message: 'the last generation counting its labels' },
        );
      } catch (err) {
        run.errors.push(`${(err as Error).message}: ${JSON.stringify(final)} against ${JSON.stringify(audited)}`);
      }
      await waitFor(() => onTopic.length === published, {
        timeoutMs: 30_000,
        message: 'every published prediction read back',
      });
      // A prediction whose first copy on its partition (a re-sent copy lands on the same one) is past
      // the committed offset, yet recorded: recorded from a batch whose offsets were not committed.
      const first = new Map<string, { partition: number; offset: number }>();
      for (const m of onTopic) if ((first.get(m.id)?.offset ?? Infinity) > m.offset) first.set(m.id, m);
      for (const k of run.kills)
        k.recordedNotCommitted = [...first].filter(
          ([id, m]) => m.offset >= k.committed[m.partition] && k.recordedIds.has(id),
        ).length;
      lap('checked');
    } finally {
      clearInterval(scraper);
    }
  }, 300_000);

  afterAll(async () => {
    const errors = svc?.logLines(/"level":"(error|fatal)"|\bERROR\b/) ?? [];
    console.log(
      `kill-nine (seed ${SEED}): ${sent.length} predictions (${resent.predictions} sent twice), ${outcomeEvents.length} outcome events ` +
        `(${resent.events} sent twice); kills ${JSON.stringify(
          run.kills.map(({ recordedIds: _ids, committed: _c, ...k }) => k),
        )}; timings (s) ${JSON.stringify(run.timings)}; errors in the service's output: ` +
        `${errors.length}${
          errors.length > 0
            ? `, the first: ${errors
                .slice(0, 3)
                .map((l) => l.slice(0, 300))
                .join(' | ')}`
            : ''
        }`,
    );
    await svc?.stop().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await h.tearDown();
  }, 60_000);

  it('killed it with SIGKILL five times mid-stream (≥ 3 required), records in flight, and it came back every time', () => {
    expect(run.errors).toEqual([]);
    expect(run.kills).toHaveLength(5);
    expect(svc.kills).toBe(run.kills.length);
    expect(run.kills.every((k) => k.recorded < sent.length)).toBe(true);
    // Kills at moments of the stream found predictions consumed or waiting that were not committed (on a
    // loaded machine the service sometimes catches up with the producer just before one: at least two of
    // the four), and some found predictions recorded whose offsets were not committed (read again after
    // the restart).
    const inStream = run.kills.filter((k) => !k.when.startsWith('while starting'));
    expect(inStream.filter((k) => k.uncommittedPredictions > 0).length).toBeGreaterThanOrEqual(2);
    expect(sum(run.kills.map((k) => k.recordedNotCommitted))).toBeGreaterThan(0);
    expect(svc.running).toBe(true);
  });

  it('committed both topics up to their ends', () => {
    expect(caught).toEqual({ outcomes: [0, 0, 0, 0], predictions: [0, 0, 0, 0] });
  });

  it('recorded every prediction exactly once: none missing, none twice, nothing else', async () => {
    const rows: { prediction_id: string }[] = await h.storage.dataSource.query(
      `SELECT prediction_id FROM monitoring_predictions ORDER BY prediction_id`,
    );
    expect(rows.map((r) => r.prediction_id)).toEqual([...expectedLabel.keys()].sort());
    const audit: { n: number; distinct: number }[] = await h.storage.dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT prediction_id)::int AS distinct FROM monitoring_audit_recorded`,
    );
    expect(audit).toEqual([{ n: sent.length, distinct: sent.length }]);
    // Re-sent predictions were on the topic twice.
    expect(resent.predictions).toBeGreaterThan(100);
    expect(published).toBe(sent.length + resent.predictions);
  });

  it('joined every label exactly once, each the true one; the counters counted each once', async () => {
    const rows: { prediction_id: string; label: number }[] = await h.storage.dataSource.query(
      `SELECT prediction_id, label FROM monitoring_predictions`,
    );
    expect(rows.filter((r) => r.label !== expectedLabel.get(r.prediction_id))).toEqual([]);
    const twice: { prediction_id: string; n: number }[] = await h.storage.dataSource.query(
      `SELECT prediction_id, count(*)::int AS n FROM monitoring_audit_labelled GROUP BY prediction_id HAVING count(*) > 1`,
    );
    expect(twice).toEqual([]);
    const [audit] = await h.storage.dataSource.query(
      `SELECT count(*)::int AS n, sum(label)::int AS positives FROM monitoring_audit_labelled`,
    );
    expect(audit).toEqual({ n: sent.length, positives: outcomeEvents.length });
    // Outcome events stored once each, re-sent ones included.
    const [events] = await h.storage.dataSource.query(`SELECT count(*)::int AS n FROM monitoring_outcome_events`);
    expect(events.n).toBe(outcomeEvents.length);
    // pulse_monitoring_labels_total / _predictions_total: the last generation counted exactly what it
    // labelled and recorded; a killed one never more than it did (its last count read before the kill).
    expect(final.auditedLabels).toBeGreaterThan(0);
    expect({ labels: final.labels, predictions: final.predictions }).toEqual({
      labels: final.auditedLabels,
      predictions: final.auditedPredictions,
    });
    for (const [generation, counters] of scraped) {
      const life = lives[generation - 1];
      if (life.endMs === null) continue;
      expect({
        generation,
        labels: Math.min(
          counters.labels,
          await auditRowsBetween(h.storage.dataSource, 'monitoring_audit_labelled', life.startMs, life.endMs),
        ),
        predictions: Math.min(
          counters.predictions,
          await auditRowsBetween(h.storage.dataSource, 'monitoring_audit_recorded', life.startMs, life.endMs),
        ),
      }).toEqual({ generation, ...counters });
    }
  });

  it('left every drift window as the undisturbed stream makes it: no record counted twice or lost', async () => {
    const version = await new ModelRegistryRepository(h.storage.dataSource).getVersion(MODEL, 1);
    const raw = version.referenceProfile as {
      features: Record<string, ReferenceProfile>;
      score: ReferenceProfile;
    };
    const profiles = new Map<string, ReferenceProfile>([...Object.entries(raw.features), [SCORE_FEATURE, raw.score]]);
    // The undisturbed expectation: each distinct prediction counted once into its day's window.
    const expected = new Map<string, { window: DriftWindow; withValue: number }>();
    const add = (p: PredictionMessage, feature: string, value: number) => {
      const key = `${windowStart(p.asOfMs, DAY)}/${feature}`;
      let entry = expected.get(key);
      if (!entry) expected.set(key, (entry = { window: new DriftWindow(profiles.get(feature)!), withValue: 0 }));
      entry.window.add(value);
      if (Number.isFinite(value)) entry.withValue++;
    };
    for (const { prediction: p } of sent) {
      for (const input of p.inputs) add(p, input.name, input.value);
      add(p, SCORE_FEATURE, p.score);
    }
    const rows: {
      window_start_ms: string;
      feature: string;
      counts: number[];
      total: string;
      missing: string;
      underflow_sum: number;
      overflow_sum: number;
    }[] = await h.storage.dataSource.query(
      `SELECT window_start_ms, feature, counts, total, missing, underflow_sum, overflow_sum FROM monitoring_drift_windows
       WHERE model = $1 AND model_version = 1 AND window_ms = $2 ORDER BY window_start_ms, feature`,
      [MODEL, DAY],
    );
    const stored = new Map(rows.map((r) => [`${r.window_start_ms}/${r.feature}`, r]));
    expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(stored.size).toBe(DAYS * (FEATURES.length + 1));
    const differing: string[] = [];
    for (const [key, { window, withValue }] of expected) {
      const r = stored.get(key)!;
      const s = window.toState();
      // total: the distinct predictions of the window with a value for the feature.
      if (Number(r.total) !== withValue || s.total !== withValue)
        differing.push(`${key}: total ${r.total}, expected ${withValue}`);
      if (Number(r.missing) !== s.missing) differing.push(`${key}: missing ${r.missing}, expected ${s.missing}`);
      if (JSON.stringify(r.counts.map(Number)) !== JSON.stringify(s.counts))
        differing.push(`${key}: counts ${JSON.stringify(r.counts)}, expected ${JSON.stringify(s.counts)}`);
      if (Math.abs(r.underflow_sum - s.underflowSum) > 1e-6 || Math.abs(r.overflow_sum - s.overflowSum) > 1e-6)
        differing.push(
          `${key}: tail sums ${r.underflow_sum}/${r.overflow_sum}, expected ${s.underflowSum}/${s.overflowSum}`,
        );
    }
    expect(differing).toEqual([]);
    // Some inputs were absent or NaN: the totals are not just the window's prediction count.
    expect([...expected.values()].some(({ window }) => window.missing > 0)).toBe(true);
  });
});
