import type { EngagementEvent } from '@pulse/contracts';
import type { ComparisonJson, ExperimentResultsJson } from '@pulse/experiment-service';
import {
  averageTreatmentEffect,
  createSimulation,
  DAY_MS,
  HOUR_MS,
  potentialOutcomes,
  type SimulationOptions,
} from '@pulse/simulator';
import { EventLogRepository } from '@pulse/storage';
import { waitFor } from '@pulse/testing';
import { ADMIN_TOKEN, ExperimentServiceHarness } from './experiment-service.harness';

/**
 * An experiment on simulated learners whose true effect is known: the treatment doubles the odds of
 * completing each lesson sent from the learner's exposure on. The simulator gives every learner's
 * outcome under both variants from the same seed, so the effect on lesson_completion over the
 * exposed learners is exact, and the service's interval can be checked against it.
 */
const h = new ExperimentServiceHarness();
let url: string;

const LEARNERS = 2000;
const START = Date.UTC(2024, 0, 1);
// Three weeks in, when some learners have faded: the pre-exposure covariate then tells learners apart.
const SIM_EXPOSURE = START + 21 * DAY_MS + 12 * HOUR_MS;
const HISTORY_MS = 7 * DAY_MS;
const EFFECT = { kind: 'odds', ratio: 2 } as const;
const DROPPED_SHARE = 0.2;

const definition = (key: string) => ({
  key,
  // The same hash seed: both experiments assign every learner alike.
  seed: 'simulated-effect',
  variations: [0, 1],
  weights: [0.5, 0.5],
  coverage: 1,
  hashVersion: 2,
  meta: [{ key: 'control' }, { key: 'treatment' }],
  metrics: ['lesson_completion'],
  status: 'running',
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The unit's variant in the experiment (undefined when not in it); the service exposes it as it answers. */
async function assign(unit: string, key: string): Promise<string | undefined> {
  const res = await call('GET', `/v1/assignments/${encodeURIComponent(unit)}`);
  if (res.status !== 200) throw new Error(`assignments ${unit}: ${res.status}`);
  const a = (res.json.assignments as { experiment: string; inExperiment: boolean; variant: string }[]).find(
    (x) => x.experiment === key,
  );
  return a?.inExperiment ? a.variant : undefined;
}

/** Runs `work` over `items` with at most `width` at a time. */
async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** Starts the experiment and waits until the assignments API serves it (the probe unit is exposed by then). */
async function startExperiment(key: string, probe: string): Promise<void> {
  expect((await call('POST', '/v1/experiments', definition(key))).status).toBe(201);
  await waitFor(async () => (await assign(probe, key)) !== undefined, {
    timeoutMs: 15_000,
    message: `${key} served by the assignments API`,
  });
}

async function recordedExposures(key: string): Promise<Map<string, { variant: string; atMs: number }>> {
  const rows: { unit_id: string; variant: string; first_exposed_ms: string }[] = await h.storage.dataSource.query(
    `SELECT unit_id, variant, first_exposed_ms FROM experiment_exposures WHERE experiment_key = $1`,
    [key],
  );
  return new Map(rows.map((r) => [r.unit_id, { variant: r.variant, atMs: Number(r.first_exposed_ms) }]));
}

async function results(key: string): Promise<ExperimentResultsJson> {
  const asOf = new Date(Date.now() + 30 * DAY_MS).toISOString();
  const res = await call('GET', `/v1/experiments/${key}/results?asOf=${asOf}`);
  expect(res.status).toBe(200);
  return res.json as unknown as ExperimentResultsJson;
}

const width = (c: { ci_low: number | null; ci_high: number | null }) => c.ci_high! - c.ci_low!;

beforeAll(async () => {
  await h.setUp();
  ({ url } = await h.start());
}, 120_000);
afterAll(() => h.tearDown(), 60_000);

describe('an experiment on simulated learners with a known effect', () => {
  const key = 'simulated-effect';
  const units = createSimulation({ seed: key, learners: LEARNERS, days: 1, startTimeMs: START }).learners.map(
    (l) => l.entityId,
  );
  const variants = new Map<string, string>();
  let options: SimulationOptions;

  beforeAll(async () => {
    await startExperiment(key, units[0]);
    await inParallel(units, 8, async (unit) => {
      const variant = await assign(unit, key);
      if (variant !== undefined) variants.set(unit, variant);
    });
    expect(variants.size).toBe(LEARNERS);
    await waitFor(async () => (await recordedExposures(key)).size === LEARNERS, {
      timeoutMs: 30_000,
      message: 'every learner’s exposure recorded',
    });
    options = {
      seed: key,
      learners: LEARNERS,
      days: 24,
      startTimeMs: START,
      treatment: { assignment: variants, effect: EFFECT, startMs: SIM_EXPOSURE },
    };
  }, 90_000);

  it('estimates the true effect on lesson_completion: the interval covers it, CUPED’s is narrower', async () => {
    const exposures = await recordedExposures(key);
    // Each learner's simulated life moved so that its simulated exposure falls on its recorded one:
    // the metric's windows then see exactly what the simulator's do, whenever the test runs.
    const events: EngagementEvent[] = [];
    for (const e of createSimulation(options)) {
      if (e.eventTimeMs < SIM_EXPOSURE - HISTORY_MS) continue;
      events.push({ ...e, eventTimeMs: e.eventTimeMs + exposures.get(e.entityId)!.atMs - SIM_EXPOSURE });
    }
    const appended = await new EventLogRepository(h.storage.dataSource).appendMany(events);
    expect(appended.inserted).toBe(events.length);

    const outcomes = potentialOutcomes(options);
    const truth = averageTreatmentEffect(outcomes);
    const arm = (v: string) => outcomes.filter((o) => variants.get(o.entityId) === v);
    const expected = {
      control: { n: arm('control').length, sum: arm('control').reduce((s, o) => s + o.control, 0) },
      treatment: { n: arm('treatment').length, sum: arm('treatment').reduce((s, o) => s + o.treated, 0) },
    };

    const r = await results(key);
    const metric = r.metrics.find((m) => m.metric === 'lesson_completion')!;
    // The service's per-variant data are the simulated learners' outcomes under their variants.
    for (const v of metric.variants) {
      const e = expected[v.variant as 'control' | 'treatment'];
      expect([v.variant, v.n, v.mean]).toEqual([v.variant, e.n, e.sum / e.n]);
    }
    const c = metric.comparisons.find((x) => x.variant === 'treatment') as ComparisonJson;
    report(truth, c);
    expect(truth.n).toBe(LEARNERS);
    expect(truth.effect).toBeGreaterThan(0.03);
    expect(c.ci_low!).toBeLessThanOrEqual(truth.effect);
    expect(c.ci_high!).toBeGreaterThanOrEqual(truth.effect);
    expect(c.cuped).not.toBeNull();
    expect(width(c.cuped!)).toBeLessThan(width(c));
    expect(r.srm.flagged).toBe(false);
  }, 60_000);

  it('flags a sample ratio mismatch when a share of the treatment’s exposures is never recorded', async () => {
    const skewed = `${key}-lost-exposures`;
    // Every fifth treated learner's exposure is lost: as if the treatment failed before logging it.
    const treated = units.filter((u) => variants.get(u) === 'treatment');
    const lost = new Set(treated.filter((_, i) => i % Math.round(1 / DROPPED_SHARE) === 0));
    const exposed = units.filter((u) => !lost.has(u));
    await startExperiment(skewed, exposed[0]);
    await inParallel(exposed, 8, async (unit) => void (await assign(unit, skewed)));
    await waitFor(async () => (await recordedExposures(skewed)).size === exposed.length, {
      timeoutMs: 30_000,
      message: 'the remaining exposures recorded',
    });

    const r = await results(skewed);
    expect(r.srm.counts).toEqual({ control: LEARNERS - treated.length, treatment: treated.length - lost.size });
    process.stdout.write(`lost exposures: srm ${JSON.stringify(r.srm)}\n`);
    expect(r.srm.flagged).toBe(true);
    expect(r.srm.p_value!).toBeLessThan(0.001);
    // The full experiment is still balanced.
    const full = await results(key);
    process.stdout.write(`full exposures: srm ${JSON.stringify(full.srm)}\n`);
    expect(full.srm.flagged).toBe(false);
  }, 60_000);
});

function report(truth: ReturnType<typeof averageTreatmentEffect>, c: ComparisonJson): void {
  const f = (x: number | null) => (x === null ? 'null' : x.toFixed(4));
  process.stdout.write(
    `simulated effect: true ${f(truth.effect)} (control ${f(truth.controlMean)}, treated ${f(truth.treatedMean)}, n ${truth.n}); ` +
      `estimate ${f(c.difference)} [${f(c.ci_low)}, ${f(c.ci_high)}]; ` +
      `CUPED ${f(c.cuped?.difference ?? null)} [${f(c.cuped?.ci_low ?? null)}, ${f(c.cuped?.ci_high ?? null)}] theta ${f(c.cuped?.theta ?? null)}\n`,
  );
}
