// Drift of a window against its reference profile, from the bins alone:
//   psi, js, chi2  the registry's tests on the counts per bin (numeric: the profile's bins plus the
//                  under- and overflow bins; categorical: the reference's categories plus one bin for
//                  unseen ones), leaving out bins empty in both, as Evidently's tests only see
//                  categories one of the samples has;
//   ks             D = the largest gap between the two binned CDFs at the bin edges, then scipy's
//                  ks_2samp p-value for that D and the two sizes. Values within a bin count as tied,
//                  so D is at most the exact D of the raw values and the p-value at least theirs: an
//                  approximation that reacts later, never earlier, than the exact test;
//   wasserstein    W₁ between the two binned distributions with each bin's mass at its centre (values
//                  below / above the edges at their mean, which is exact for that tail as the
//                  reference has no mass there), divided by max(reference std, 0.001);
//   drifted        Evidently's default choice (column/default-stattest.ts) with the profile's row
//                  count, on these binned numbers; a numeric profile counts as having > 5 values.
import { ksTest as ksPValue } from '../stats/ks-2samp';
import { wassersteinFromMasses } from '../stats/wasserstein';
import { defaultStatTest, type DecidingTest } from '../column/default-stattest';
import { STAT_TESTS } from '../stattests/stattest.registry';
import type { StatTest, StatTestInput, TestStatistic } from '../stattests/stattest.types';
import { WASSERSTEIN_MIN_NORM } from '../stattests/wasserstein.stattest';
import { DriftWindow } from './drift-window';

export interface WindowDrift {
  psi: number;
  js: number;
  ks?: TestStatistic;
  wasserstein?: number;
  chi2: TestStatistic;
  drifted: boolean;
  decision: { test: DecidingTest; score: number; threshold: number };
  rows: { reference: number; current: number };
  missing: number;
}

export interface WindowDriftOptions {
  /** Thresholds of the deciding tests instead of Evidently's defaults (a model's overrides). */
  readonly thresholds?: Readonly<Partial<Record<DecidingTest, number>>>;
}

export function windowDrift(window: DriftWindow, options: WindowDriftOptions = {}): WindowDrift {
  if (!(window instanceof DriftWindow)) throw new TypeError('window must be a DriftWindow');
  const decide = (test: DecidingTest, result: unknown) => decideWith(test, result, options.thresholds?.[test]);
  if (window.total === 0)
    throw new RangeError(`window has no values${window.missing ? ` (all ${window.missing} are missing)` : ''}`);
  const profile = window.profile;
  const current = window.counts;
  const reference = profile.kind === 'numeric' ? [0, ...profile.counts, 0] : [...profile.counts, 0];
  const input = nonEmptyBins(reference, current, profile.total, window.total, profile.kind);
  const psi = STAT_TESTS.psi.compute(input);
  const js = STAT_TESTS.js.compute(input);
  const chi2 = STAT_TESTS.chi2.compute(input);
  const rows = { reference: profile.total, current: window.total };
  if (profile.kind === 'categorical') {
    const test = defaultStatTest('categorical', profile.total, input.referenceCounts.length);
    const result = test === 'chi2' ? chi2 : test === 'js' ? js : STAT_TESTS.z.compute(input);
    return { psi, js, chi2, ...decide(test, result), rows, missing: window.missing };
  }
  const ks = binnedKs(reference, current, profile.total, window.total);
  const state = window.toState();
  const edges = profile.edges;
  const points = [
    current[0] > 0 ? state.underflowSum / current[0] : edges[0],
    ...edges.slice(1).map((e, i) => (edges[i] + e) / 2),
    current[current.length - 1] > 0 ? state.overflowSum / current[current.length - 1] : edges[edges.length - 1],
  ];
  const wasserstein =
    wassersteinFromMasses(points, reference, profile.total, current, window.total) /
    Math.max(profile.std, WASSERSTEIN_MIN_NORM);
  const test = defaultStatTest('numeric', profile.total, Infinity);
  return {
    psi,
    js,
    ks,
    wasserstein,
    chi2,
    ...decide(test, test === 'ks' ? ks : wasserstein),
    rows,
    missing: window.missing,
  };
}

function binnedKs(reference: number[], current: number[], nr: number, nc: number): TestStatistic {
  let cr = 0;
  let cc = 0;
  let d = 0;
  for (let i = 0; i < reference.length; i++) {
    cr += reference[i];
    cc += current[i];
    d = Math.max(d, Math.abs(cr / nr - cc / nc));
  }
  const r = ksPValue(d, nr, nc);
  return { statistic: r.statistic, p_value: r.pValue };
}

function nonEmptyBins(
  reference: number[],
  current: number[],
  referenceTotal: number,
  currentTotal: number,
  kind: 'numeric' | 'categorical',
): StatTestInput {
  const keep = reference.map((r, i) => r > 0 || current[i] > 0);
  return {
    kind,
    referenceCounts: reference.filter((_, i) => keep[i]),
    currentCounts: current.filter((_, i) => keep[i]),
    referenceTotal,
    currentTotal,
  };
}

function decideWith(test: DecidingTest, result: unknown, threshold: number | undefined) {
  const t: StatTest<unknown> = STAT_TESTS[test];
  if (threshold !== undefined && !(threshold > 0 && threshold < 1))
    throw new RangeError(`thresholds.${test} must be in (0, 1), got ${threshold}`);
  const used = threshold ?? t.defaultThreshold;
  return { drifted: t.drifted(result, used), decision: { test, score: t.score(result), threshold: used } };
}
