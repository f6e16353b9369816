import { Prng } from '@pulse/core';
import { analyzeExperiment, type ExperimentAnalysis } from '../analysis/analyze-experiment';
import { benjaminiHochberg } from '../corrections/benjamini-hochberg';
import { holm } from '../corrections/holm';
import { proportionPower, proportionSampleSize } from '../power/proportion-power';
import { covariateStats, metricStats } from '../stats/sufficient-stats';
import { pythonReference, type ReferenceCase, type ReferenceOutput } from './python-reference';
import { randomExperiment, type GeneratedExperiment } from './random-experiments';

// Every output of analyzeExperiment on random experiments (computed from sufficient statistics)
// against scipy/statsmodels on the raw values: statistics within 1e-9 relative, p-values within 1e-8.
const STAT_TOL = 1e-9;
const P_TOL = 1e-8;

const experiments: GeneratedExperiment[] = [
  ...Array.from({ length: 10 }, (_, i) => randomExperiment(`small-${i}`, 'small')),
  ...Array.from({ length: 6 }, (_, i) => randomExperiment(`large-${i}`, 'large', i % 3 === 1)),
];

const rng = new Prng('power');
const designs = Array.from({ length: 40 }, () => {
  const baseline = rng.uniform(0.02, 0.9);
  const relative = rng.bernoulli(0.5);
  const room = Math.min(baseline, 1 - baseline);
  const mde = relative ? rng.uniform(0.02, 0.3) * (rng.bernoulli(0.8) ? 1 : -1) : rng.uniform(0.05, 0.5) * room;
  const target = relative ? baseline * (1 + mde) : baseline + mde;
  return {
    baseline,
    mde,
    relative,
    target,
    alpha: rng.pick([0.05, 0.01, 0.1, 0.2]),
    power: rng.pick([0.8, 0.9, 0.95, 0.5]),
    n: rng.int(10, 50_000),
  };
});

const families = Array.from({ length: 25 }, () => {
  const m = rng.int(1, 12);
  const pool = [rng.next() * 0.01, rng.next() * 0.2, rng.next()];
  // Some ties, some tiny values and some near 1.
  return Array.from({ length: m }, () => (rng.bernoulli(0.2) ? rng.pick(pool) : rng.next() ** rng.int(1, 4)));
});

let reference: ReferenceOutput;
beforeAll(() => {
  reference = pythonReference<ReferenceOutput>({
    cases: experiments,
    power: designs.map((d) => ({ baseline: d.baseline, target: d.target, alpha: d.alpha, power: d.power, n: d.n })),
    families,
  });
}, 300_000);

/** What is off: field, ours, the reference's and the tolerance, empty when all agree. */
class Mismatches {
  readonly list: string[] = [];
  constructor(private readonly floor: number) {}
  stat(field: string, ours: number, theirs: number | null | undefined, tol = STAT_TOL): void {
    this.check(field, ours, theirs, tol * Math.abs(theirs ?? 0) + 1e-12 * this.floor);
  }
  p(field: string, ours: number, theirs: number | null | undefined): void {
    this.check(field, ours, theirs, P_TOL);
  }
  same(field: string, ours: unknown, theirs: unknown): void {
    if (ours !== theirs) this.list.push(`${field}: ${String(ours)} vs ${String(theirs)}`);
  }
  private check(field: string, ours: number, theirs: number | null | undefined, tol: number): void {
    if (theirs === null || theirs === undefined) {
      if (Number.isFinite(ours)) this.list.push(`${field}: ${ours} vs undefined`);
      return;
    }
    if (!(Math.abs(ours - theirs) <= tol)) this.list.push(`${field}: ${ours} vs ${theirs} (tolerance ${tol})`);
  }
}

function analyze(e: GeneratedExperiment): ExperimentAnalysis {
  return analyzeExperiment(
    e.variants.map((v) => ({ name: v.name, stats: v.pre ? covariateStats(v.values, v.pre) : metricStats(v.values) })),
    {
      control: e.control,
      metricType: e.metricType,
      weights: e.weights,
      correction: e.correction,
      alpha: e.alpha,
      cuped: e.variants[0].pre !== undefined,
      sequential: { tuningParameter: e.tuning },
    },
  );
}

/** Every field of an analysis against the reference case. */
export function compareAnalysis(ours: ExperimentAnalysis, ref: ReferenceCase): string[] {
  const floor = Math.max(1, ...ref.variants.map((v) => Math.abs(v.mean)));
  const m = new Mismatches(floor);
  ref.variants.forEach((r, i) => {
    m.same(`variants[${i}].n`, ours.variants[i].n, r.n);
    m.stat(`variants[${i}].mean`, ours.variants[i].mean, r.mean);
    m.stat(`variants[${i}].variance`, ours.variants[i].variance, r.variance);
  });
  m.stat('srm.chi2', ours.srm.chi2, ref.srm.chi2);
  m.p('srm.p_value', ours.srm.pValue, ref.srm.p_value);
  m.same('srm.flagged', ours.srm.flagged, ref.srm.p_value < 0.001);
  m.same('comparisons', ours.comparisons.length, ref.comparisons.length);
  ref.comparisons.forEach((r, k) => {
    const c = ours.comparisons[k];
    const at = `comparisons[${k}] (${r.variant})`;
    m.same(`${at}.variant`, c.variant, r.variant);
    m.same(`${at}.control`, c.control, r.control);
    m.stat(`${at}.difference`, c.difference, r.difference);
    m.stat(`${at}.statistic`, c.statistic, r.statistic);
    if (r.df !== null) m.stat(`${at}.df`, c.df, r.df);
    m.p(`${at}.p_value`, c.pValue, r.p_value);
    m.p(`${at}.p_value_adjusted`, c.pValueAdjusted, r.p_value_adjusted);
    m.stat(`${at}.ci_low`, c.ciLow, r.ci_low);
    m.stat(`${at}.ci_high`, c.ciHigh, r.ci_high);
    // statsmodels' own interval, whose t quantile is scipy 1.10's (see reference.py): 1e-8.
    if (r.ci_low_statsmodels !== undefined) m.stat(`${at}.ci_low (statsmodels)`, c.ciLow, r.ci_low_statsmodels, 1e-8);
    if (r.ci_high_statsmodels !== undefined)
      m.stat(`${at}.ci_high (statsmodels)`, c.ciHigh, r.ci_high_statsmodels, 1e-8);
    m.stat(`${at}.relative_lift`, c.relativeLift, r.relative_lift);
    m.stat(`${at}.relative_ci_low`, c.relativeCiLow, r.relative_ci_low);
    m.stat(`${at}.relative_ci_high`, c.relativeCiHigh, r.relative_ci_high);
    m.p(`${at}.sequential.p_value`, c.sequential.pValue, r.sequential.p_value);
    m.stat(`${at}.sequential.ci_low`, c.sequential.ciLow, r.sequential.ci_low);
    m.stat(`${at}.sequential.ci_high`, c.sequential.ciHigh, r.sequential.ci_high);
    m.same(`${at}.cuped present`, c.cuped !== null, r.cuped !== undefined);
    if (c.cuped && r.cuped) {
      m.stat(`${at}.cuped.theta`, c.cuped.theta, r.cuped.theta);
      m.stat(`${at}.cuped.difference`, c.cuped.difference, r.cuped.difference);
      m.stat(`${at}.cuped.ci_low`, c.cuped.ciLow, r.cuped.ci_low);
      m.stat(`${at}.cuped.ci_high`, c.cuped.ciHigh, r.cuped.ci_high);
      m.p(`${at}.cuped.p_value`, c.cuped.pValue, r.cuped.p_value);
      m.p(`${at}.cuped.p_value_adjusted`, c.cuped.pValueAdjusted, r.cuped.p_value_adjusted);
    }
  });
  return m.list;
}

describe('analyzeExperiment against scipy and statsmodels on random experiments', () => {
  it.each(experiments.map((e, i) => [e.seed, e.metricType, e.variants.length, i] as const))(
    '%s: %s, %i variants',
    (_seed, _type, _k, i) => {
      expect(compareAnalysis(analyze(experiments[i]), reference.cases[i])).toEqual([]);
    },
  );

  it('covers both metric types, 2 to 4 variants, CUPED, SRM flags and every correction', () => {
    expect(new Set(experiments.map((e) => e.metricType))).toEqual(new Set(['proportion', 'mean']));
    expect(new Set(experiments.map((e) => e.variants.length))).toEqual(new Set([2, 3, 4]));
    expect(new Set(experiments.map((e) => e.correction))).toEqual(new Set(['none', 'holm', 'bh']));
    expect(experiments.some((e) => e.metricType === 'proportion' && e.variants[0].pre)).toBe(true);
    expect(reference.cases.some((c) => c.srm.p_value < 0.001)).toBe(true);
    expect(reference.cases.some((c) => c.srm.p_value > 0.1)).toBe(true);
    expect(reference.cases.some((c) => c.comparisons.some((r) => (r.p_value ?? 1) < 0.001))).toBe(true);
  });
});

describe('sample size and power against statsmodels NormalIndPower', () => {
  it('units per variant: ceil of solve_power(proportion_effectsize(target, baseline))', () => {
    const ours = designs.map((d) => proportionSampleSize(d).perVariant);
    expect(ours).toEqual(reference.power.map((r) => r.per_variant));
  });
  it('the unrounded n within statsmodels’ solver tolerance (1e-5)', () => {
    const off = designs
      .map((d, i) => ({ i, ours: proportionSampleSize(d).exact, theirs: reference.power[i].exact }))
      .filter((x) => !(Math.abs(x.ours - x.theirs) <= 1e-5 * Math.max(1, x.theirs / 1000)));
    expect(off).toEqual([]);
  });
  it('effect sizes', () => {
    const off = designs.filter(
      (d, i) => !(Math.abs(proportionSampleSize(d).effectSize - reference.power[i].effect_size) <= 1e-12),
    );
    expect(off).toEqual([]);
  });
  it('power at a given n', () => {
    const off = designs.filter(
      (d, i) => !(Math.abs(proportionPower({ ...d, nPerVariant: d.n }) - reference.power[i].power_at_n) <= 1e-12),
    );
    expect(off).toEqual([]);
  });
});

describe('corrections against statsmodels multipletests', () => {
  it('holm', () => {
    const off = families.filter((f, i) => !sameWithin(holm(f), reference.families[i].holm, 1e-15));
    expect(off).toEqual([]);
  });
  it('fdr_bh', () => {
    const off = families.filter((f, i) => !sameWithin(benjaminiHochberg(f), reference.families[i].bh, 1e-15));
    expect(off).toEqual([]);
  });
});

function sameWithin(a: readonly number[], b: readonly number[], tol: number): boolean {
  return a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) <= tol);
}
