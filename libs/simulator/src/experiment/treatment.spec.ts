import type { EngagementEvent } from '@pulse/contracts';
import { Prng } from '@pulse/core';
import { createSimulation } from '../simulation/simulation';
import type { CompletionOracleRecord, SimulationOptions } from '../simulation/simulation-options';
import { DAY_MS, HOUR_MS } from '../simulation/simulation-options';
import {
  averageTreatmentEffect,
  exposureMetricValues,
  LESSON_COMPLETION_METRIC,
  potentialOutcomes,
} from './potential-outcomes';
import { applyTreatmentEffect } from './treatment-effect';

const START = Date.UTC(2024, 0, 1);
const EXPOSURE = START + 21 * DAY_MS + 12 * HOUR_MS;
const byLearner = (events: EngagementEvent[], id: string) => events.filter((e) => e.entityId === id);

describe('applyTreatmentEffect', () => {
  it.each([
    [{ kind: 'multiply', factor: 1.5 } as const, 0.4, 0.6000000000000001],
    [{ kind: 'multiply', factor: 3 } as const, 0.5, 1],
    [{ kind: 'add', lift: 0.15 } as const, 0.4, 0.55],
    [{ kind: 'add', lift: -0.5 } as const, 0.4, 0],
    [{ kind: 'odds', ratio: 3 } as const, 0.5, 0.75],
    [{ kind: 'odds', ratio: 2 } as const, 0.2, 1 / 3],
    [{ kind: 'odds', ratio: 2 } as const, 0, 0],
    [{ kind: 'add', lift: 0.3 } as const, 0, 0],
  ])('%p turns %p into %p', (effect, p, expected) => {
    expect(applyTreatmentEffect(effect, p)).toBeCloseTo(expected, 12);
  });
});

describe('treatment option', () => {
  const options = (extra: Partial<SimulationOptions> = {}): SimulationOptions => ({
    seed: 'trt',
    learners: 120,
    days: 24,
    startTimeMs: START,
    ...extra,
  });
  const treated = new Set(Array.from({ length: 60 }, (_, i) => `learner-${String(2 * i).padStart(6, '0')}`));
  const effect = { kind: 'odds', ratio: 2 } as const;
  const plainOracle: CompletionOracleRecord[] = [];
  const plain = [...createSimulation(options({ onOracle: (r) => plainOracle.push(r) }))];
  const mixedOracle: CompletionOracleRecord[] = [];
  const mixed = [
    ...createSimulation(
      options({
        treatment: { assignment: treated, effect, startMs: EXPOSURE },
        onOracle: (r) => mixedOracle.push(r),
      }),
    ),
  ];
  const allTreated = [
    ...createSimulation(options({ treatment: { assignment: () => 'treatment', effect, startMs: EXPOSURE } })),
  ];

  it('changes nothing when it has no effect or treats nobody', () => {
    const none = [
      ...createSimulation(options({ treatment: { assignment: treated, effect: { kind: 'multiply', factor: 1 } } })),
    ];
    const nobody = [...createSimulation(options({ treatment: { assignment: new Set(), effect } }))];
    expect(none).toEqual(plain);
    expect(nobody).toEqual(plain);
  });

  it('leaves control learners’ lives exactly as without it, and gives treated learners their all-treated life', () => {
    for (const id of ['learner-000001', 'learner-000033', 'learner-000119'])
      expect(byLearner(mixed, id)).toEqual(byLearner(plain, id));
    for (const id of ['learner-000000', 'learner-000032', 'learner-000118'])
      expect(byLearner(mixed, id)).toEqual(byLearner(allTreated, id));
    // Both worlds agree on everything before the exposure.
    expect(allTreated.filter((e) => e.eventTimeMs < EXPOSURE)).toEqual(plain.filter((e) => e.eventTimeMs < EXPOSURE));
    expect(allTreated.filter((e) => e.eventTimeMs >= EXPOSURE)).not.toEqual(
      plain.filter((e) => e.eventTimeMs >= EXPOSURE),
    );
  });

  it('changes the probability of a treated learner’s first lesson after the exposure by exactly the effect (same draws)', () => {
    const firstAfter = (records: CompletionOracleRecord[], id: string) =>
      records.find((r) => r.entityId === id && r.sentAtMs >= EXPOSURE);
    let compared = 0;
    for (const id of treated) {
      const before = firstAfter(plainOracle, id);
      const after = firstAfter(mixedOracle, id);
      if (before === undefined) continue;
      expect(after!.eventId).toBe(before.eventId);
      expect(after!.probability).toBeCloseTo(applyTreatmentEffect(effect, before.probability), 14);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('rejects bad options, naming the field', () => {
    const bad: [unknown, ErrorConstructor, string][] = [
      [{ assignment: treated, effect: { kind: 'multiply', factor: -1 } }, RangeError, 'treatment.effect.factor'],
      [{ assignment: treated, effect: { kind: 'odds', ratio: 0 } }, RangeError, 'treatment.effect.ratio must be > 0'],
      [{ assignment: treated, effect: { kind: 'boost' } }, RangeError, 'treatment.effect.kind must be one of'],
      [{ assignment: treated, effect: { b: { kind: 'add', lift: 2 } } }, RangeError, 'treatment.effect.b.lift'],
      [{ assignment: ['learner-000001'], effect }, TypeError, 'treatment.assignment'],
      [{ assignment: treated, effect, startMs: 1.5 }, RangeError, 'treatment.startMs'],
    ];
    for (const [treatment, type, message] of bad) {
      const create = () => createSimulation(options({ treatment: treatment as SimulationOptions['treatment'] }));
      expect(create).toThrow(type);
      expect(create).toThrow(message);
    }
  });
});

describe('exposureMetricValues', () => {
  const ev = (id: string, unit: string, t: number, type = 'lesson_completed'): EngagementEvent => ({
    eventId: id,
    entityId: unit,
    eventType: type,
    eventTimeMs: t,
    channel: 'web',
    attributes: {},
  });
  const W = 48 * HOUR_MS;
  const events = [
    ev('a', 'u1', 1000),
    ev('a', 'u1', 1000), // a duplicate counts once
    ev('b', 'u1', 1000 + W - 1),
    ev('c', 'u1', 1000 + W), // the window's end is excluded
    ev('d', 'u1', 1000 - W), // the pre-window's start is included
    ev('e', 'u1', 999, 'lesson_started'),
    ev('f', 'u2', 5000 - 1),
    ev('g', 'u3', 1000), // not exposed
  ];
  const exposure = new Map([
    ['u1', 1000],
    ['u2', 5000],
  ]);

  it('counts events in [exposure, exposure + window) and the covariate in the window before', () => {
    expect(Object.fromEntries(exposureMetricValues(events, exposure))).toEqual({
      u1: { value: 1, pre: 1 },
      u2: { value: 0, pre: 1 },
    });
    expect(
      Object.fromEntries(exposureMetricValues(events, exposure, { ...LESSON_COMPLETION_METRIC, kind: 'count' })),
    ).toEqual({ u1: { value: 2, pre: 1 }, u2: { value: 0, pre: 1 } });
  });

  it('rejects a bad metric', () => {
    expect(() => exposureMetricValues([], exposure, { ...LESSON_COMPLETION_METRIC, windowMs: 0 })).toThrow(
      'metric.windowMs must be in [1, Infinity], got 0',
    );
  });
});

describe('potentialOutcomes', () => {
  const variantOf = (l: { index: number }) => (['control', 'a', 'b'] as const)[l.index % 3];
  const options: SimulationOptions = {
    seed: 'po',
    learners: 900,
    days: 24,
    startTimeMs: START,
    duplicateFraction: 0.05,
    treatment: {
      assignment: variantOf,
      effect: { a: { kind: 'odds', ratio: 2 }, b: { kind: 'add', lift: -0.2 } },
      startMs: (l) => EXPOSURE + (l.index % 7) * HOUR_MS,
    },
  };
  const a = potentialOutcomes(options, { variant: 'a' });
  const b = potentialOutcomes(options, { variant: 'b' });

  it('gives each learner both outcomes around their own exposure, with the same covariate in both worlds', () => {
    expect(a.length).toBe(900);
    expect(a[8]).toMatchObject({ entityId: 'learner-000008', variant: 'b', exposureMs: EXPOSURE + HOUR_MS });
    expect(a.map((o) => o.pre)).toEqual(b.map((o) => o.pre));
    expect(a.map((o) => o.control)).toEqual(b.map((o) => o.control));
    expect(a.every((o) => o.observed)).toBe(true);
  });

  it('is what each learner shows in the mixed simulation under the variant it is assigned', () => {
    const mixed = createSimulation({ ...options, duplicateFraction: 0 });
    const values = exposureMetricValues(mixed, new Map(a.map((o) => [o.entityId, o.exposureMs])));
    const mismatches = a.filter((o, i) => {
      const expected = o.variant === 'a' ? o.treated : o.variant === 'b' ? b[i].treated : o.control;
      return values.get(o.entityId)!.value !== expected;
    });
    expect(mismatches).toEqual([]);
  });

  it('has a true average effect in the effect’s direction, zero before any treated lesson', () => {
    const up = averageTreatmentEffect(a);
    const down = averageTreatmentEffect(b);
    expect(up.effect).toBeGreaterThan(0.03);
    expect(down.effect).toBeLessThan(-0.05);
    expect(up.controlMean).toBe(down.controlMean);
    expect(up.effect).toBeCloseTo(a.reduce((s, o) => s + o.treated - o.control, 0) / a.length, 12);
    // Common random numbers: a higher probability on the same draws rarely lowers a learner's metric
    // (only through what a completion changes later, e.g. a path finished sooner).
    expect(a.filter((o) => o.treated < o.control).length).toBeLessThan(
      a.filter((o) => o.treated > o.control).length / 5,
    );
    expect(averageTreatmentEffect(a, (o) => o.variant === 'a').n).toBe(300);
  });

  it('is what a randomized experiment’s 95 % interval covers about 95 % of the time', () => {
    // Re-randomize the same population many times: only the assignment changes.
    const rng = new Prng('coverage');
    const truth = averageTreatmentEffect(a).effect;
    let covered = 0;
    const runs = 400;
    for (let r = 0; r < runs; r++) {
      const t: number[] = [];
      const c: number[] = [];
      for (const o of a)
        if (rng.bernoulli(0.5)) t.push(o.treated);
        else c.push(o.control);
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      const variance = (xs: number[]) => {
        const m = mean(xs);
        return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
      };
      const diff = mean(t) - mean(c);
      const se = Math.sqrt(variance(t) / t.length + variance(c) / c.length);
      if (Math.abs(diff - truth) <= 1.959964 * se) covered++;
    }
    expect(covered / runs).toBeGreaterThan(0.92);
    expect(covered / runs).toBeLessThan(0.995);
  });

  it('needs a variant when the treatment has several, and a treatment at all', () => {
    expect(() => potentialOutcomes(options)).toThrow('variant must be given when the treatment has effects for a, b');
    expect(() => potentialOutcomes(options, { variant: 'c' })).toThrow('variant must be one of a, b, got c');
    expect(() => potentialOutcomes({ learners: 3 })).toThrow(TypeError);
  });
});
