// Chi-square goodness of fit (Evidently "chisquare", `_chi_stat_test`): over the union of both
// samples' categories, the current counts against the reference counts scaled by
// n_current / n_reference, scipy.stats.chisquare. A category absent from the reference makes the
// statistic +∞ (p = 0). Evidently: default threshold 0.05, drift when p < 0.05.
import { chiSquareTest } from '../stats/chi-square';
import type { StatTest, TestStatistic } from './stattest.types';

export const chiSquareStatTest: StatTest<TestStatistic> = {
  name: 'chi2',
  evidentlyName: 'chisquare',
  kinds: ['categorical'],
  defaultThreshold: 0.05,
  scoreIs: 'p_value',
  compute: (input) => {
    const k = input.currentTotal / input.referenceTotal;
    const expected = new Float64Array(input.referenceCounts.length);
    for (let i = 0; i < expected.length; i++) expected[i] = input.referenceCounts[i] * k;
    const r = chiSquareTest(input.currentCounts, expected);
    return { statistic: r.statistic, p_value: r.pValue };
  },
  score: (r) => r.p_value,
  drifted: (r, threshold = 0.05) => r.p_value < threshold,
};
