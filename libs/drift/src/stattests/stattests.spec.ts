import { STAT_TESTS } from './stattest.registry';
import type { StatTestInput } from './stattest.types';

// Evidently's defaults (evidently/legacy/calculations/stattests/*.py): threshold and comparison.
describe('the registry', () => {
  it('holds one test per result field, with Evidently’s names and default thresholds', () =>
    expect(
      Object.entries(STAT_TESTS).map(([k, t]) => [k, t.evidentlyName, t.defaultThreshold, t.scoreIs, t.kinds]),
    ).toEqual([
      ['psi', 'psi', 0.1, 'distance', ['numeric', 'categorical']],
      ['js', 'jensenshannon', 0.1, 'distance', ['numeric', 'categorical']],
      ['ks', 'ks', 0.05, 'p_value', ['numeric']],
      ['wasserstein', 'wasserstein', 0.1, 'distance', ['numeric']],
      ['chi2', 'chisquare', 0.05, 'p_value', ['categorical']],
      ['z', 'z', 0.05, 'p_value', ['categorical', 'numeric']],
    ]));

  it('distances drift from the threshold on (>=), ks at p <= 0.05, chi-square and z below 0.05', () => {
    expect([STAT_TESTS.psi.drifted(0.1), STAT_TESTS.psi.drifted(0.0999)]).toEqual([true, false]);
    expect([STAT_TESTS.js.drifted(0.1), STAT_TESTS.js.drifted(0.0999)]).toEqual([true, false]);
    expect([STAT_TESTS.wasserstein.drifted(0.1), STAT_TESTS.wasserstein.drifted(0.0999)]).toEqual([true, false]);
    const p = (p_value: number) => ({ statistic: 1, p_value });
    expect([STAT_TESTS.ks.drifted(p(0.05)), STAT_TESTS.ks.drifted(p(0.0501))]).toEqual([true, false]);
    expect([STAT_TESTS.chi2.drifted(p(0.05)), STAT_TESTS.chi2.drifted(p(0.0499))]).toEqual([false, true]);
    expect([STAT_TESTS.z.drifted(p(0.05)), STAT_TESTS.z.drifted(p(0.0499))]).toEqual([false, true]);
    expect(STAT_TESTS.psi.drifted(0.3, 0.5)).toBe(false);
  });

  const categories: StatTestInput = {
    kind: 'categorical',
    referenceCounts: [2, 1, 3],
    currentCounts: [1, 2, 2],
    referenceTotal: 6,
    currentTotal: 5,
  };
  // scipy / numpy 2 on reference a a b c c c, current a b b c c
  it('psi on category counts', () => expect(STAT_TESTS.psi.compute(categories)).toBeCloseTo(0.2947004770161298, 15));
  it('js on category counts', () => expect(STAT_TESTS.js.compute(categories)).toBeCloseTo(0.18961799165744211, 15));
  it('chi2: current counts against the reference scaled to the current size', () => {
    const r = STAT_TESTS.chi2.compute(categories);
    expect(r.statistic).toBeCloseTo(2, 14);
    expect(r.p_value).toBeCloseTo(0.3678794411714425, 14);
  });
  it('psi fills the zero of a category one sample lacks', () =>
    // reference a a b c, current a b b d: numpy gives 4.257031786505947
    expect(
      STAT_TESTS.psi.compute({
        kind: 'categorical',
        referenceCounts: [2, 1, 1, 0],
        currentCounts: [1, 2, 0, 1],
        referenceTotal: 4,
        currentTotal: 4,
      }),
    ).toBeCloseTo(4.257031786505947, 14));
  it('ks and wasserstein need a numeric column’s samples', () =>
    expect(() => STAT_TESTS.ks.compute(categories)).toThrow(/numeric column with its sorted samples/));
  it('normed wasserstein: W / np.std(reference), the std floored at 0.001', () => {
    const numeric = (reference: number[], current: number[]): StatTestInput => ({
      kind: 'numeric',
      referenceCounts: [],
      currentCounts: [],
      referenceTotal: reference.length,
      currentTotal: current.length,
      referenceSorted: reference,
      currentSorted: current,
    });
    expect(STAT_TESTS.wasserstein.compute(numeric([0, 1, 3], [5, 6, 8]))).toBeCloseTo(4.0089186286863665, 14);
    expect(STAT_TESTS.wasserstein.compute(numeric([2, 2], [2, 3]))).toBeCloseTo(500, 10);
  });
});
