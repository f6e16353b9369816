import { tQuantileDf, tTwoSidedP } from '../distributions';
import { assertAlpha } from '../guards';
import { toSummary } from '../stats/summarize';
import type { Arm, Comparison, ComparisonOptions } from './comparison.types';
import { relativeLift } from './relative-lift';

/**
 * Welch's unequal-variance t-test (scipy `ttest_ind(equal_var=False)`): Welch–Satterthwaite degrees
 * of freedom, the interval difference ± t(1 − alpha/2, df) · se.
 */
export function welchTTest(treatment: Arm, control: Arm, options: ComparisonOptions = {}): Comparison {
  const alpha = options.alpha ?? 0.05;
  assertAlpha(alpha);
  const t = toSummary(treatment, 'treatment');
  const c = toSummary(control, 'control');
  const vt = t.variance / t.n;
  const vc = c.variance / c.n;
  const se2 = vt + vc;
  const se = Math.sqrt(se2);
  const difference = t.mean - c.mean;
  const statistic = difference / se;
  const df = (se2 * se2) / ((vt * vt) / (t.n - 1) + (vc * vc) / (c.n - 1));
  const half = se === 0 ? 0 : tQuantileDf(1 - alpha / 2, df) * se;
  return {
    test: 'welch',
    difference,
    standardError: se,
    statistic,
    df,
    pValue: tTwoSidedP(statistic, df),
    ciLow: difference - half,
    ciHigh: difference + half,
    ...relativeLift(t.mean, vt, c.mean, vc, alpha),
  };
}
