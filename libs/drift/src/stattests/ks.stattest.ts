// Two-sample Kolmogorov-Smirnov (Evidently "ks"): scipy's ks_2samp, two-sided, method 'auto', on the
// raw values. Evidently: default threshold 0.05, drift when p <= 0.05.
import { ks2samp } from '../stats/ks-2samp';
import type { StatTest, StatTestInput, TestStatistic } from './stattest.types';

export function numericSamples(input: StatTestInput): [ArrayLike<number>, ArrayLike<number>] {
  if (input.kind !== 'numeric' || !input.referenceSorted || !input.currentSorted)
    throw new RangeError('input must be a numeric column with its sorted samples');
  return [input.referenceSorted, input.currentSorted];
}

export const ksTest: StatTest<TestStatistic> = {
  name: 'ks',
  evidentlyName: 'ks',
  kinds: ['numeric'],
  defaultThreshold: 0.05,
  scoreIs: 'p_value',
  compute: (input) => {
    const r = ks2samp(...numericSamples(input));
    return { statistic: r.statistic, p_value: r.pValue };
  },
  score: (r) => r.p_value,
  drifted: (r, threshold = 0.05) => r.p_value <= threshold,
};
