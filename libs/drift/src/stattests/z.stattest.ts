// Two-proportion Z-test (Evidently "z"): Evidently's default for a column with at most two distinct
// values when the reference has at most 1,000 rows. The counts are per category (the union of both
// samples); the first category in sorted order is the 0 of Evidently's indicator. Evidently: default
// threshold 0.05, drift when p < 0.05.
import { proportionsZTest } from '../stats/z-test';
import type { StatTest, TestStatistic } from './stattest.types';

export const zTest: StatTest<TestStatistic> = {
  name: 'z',
  evidentlyName: 'z',
  kinds: ['categorical', 'numeric'],
  defaultThreshold: 0.05,
  scoreIs: 'p_value',
  compute: (input) => {
    const k = input.referenceCounts.length;
    if (k > 2) throw new RangeError(`the Z-test takes at most two categories, got ${k}`);
    // one category shared by both samples: Evidently answers p = 1 without a statistic
    if (k === 1) return { statistic: 0, p_value: 1 };
    // which of the two is "first" only flips the sign of z; the counts are in the caller's order
    const r = proportionsZTest(
      input.referenceCounts[1],
      input.referenceTotal,
      input.currentCounts[1],
      input.currentTotal,
    );
    return { statistic: r.statistic, p_value: r.pValue };
  },
  score: (r) => r.p_value,
  drifted: (r, threshold = 0.05) => r.p_value < threshold,
};
