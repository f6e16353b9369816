import { normalTwoSidedP, zQuantile } from '../distributions';
import { assertAlpha } from '../guards';
import { toSummary } from '../stats/summarize';
import type { Arm, Comparison, ComparisonOptions } from './comparison.types';
import { relativeLift } from './relative-lift';

/**
 * Two-proportion z-test: the p-value from the pooled proportion (statsmodels `proportions_ztest`),
 * the interval unpooled Wald (statsmodels `confint_proportions_2indep(method='wald')`). Each arm's
 * values are 0/1, so its mean is the proportion and `sum` the count of ones.
 */
export function proportionZTest(treatment: Arm, control: Arm, options: ComparisonOptions = {}): Comparison {
  const alpha = options.alpha ?? 0.05;
  assertAlpha(alpha);
  const t = proportion(treatment, 'treatment');
  const c = proportion(control, 'control');
  const difference = t.p - c.p;
  const pooled = (t.count + c.count) / (t.n + c.n);
  const z = difference / Math.sqrt(pooled * (1 - pooled) * (1 / t.n + 1 / c.n));
  const vt = (t.p * (1 - t.p)) / t.n;
  const vc = (c.p * (1 - c.p)) / c.n;
  const se = Math.sqrt(vt + vc);
  const half = zQuantile(1 - alpha / 2) * se;
  return {
    test: 'z',
    difference,
    standardError: se,
    statistic: z,
    df: Infinity,
    pValue: normalTwoSidedP(z),
    ciLow: difference - half,
    ciHigh: difference + half,
    ...relativeLift(t.p, vt, c.p, vc, alpha),
  };
}

function proportion(arm: Arm, name: string): { n: number; count: number; p: number } {
  const { n, mean } = toSummary(arm, name);
  if (!(mean >= 0 && mean <= 1)) throw new RangeError(`${name} is not a proportion: its mean is ${mean}`);
  // The count as given when there are sums, so the pooled proportion is the exact ratio of counts.
  const count = 'sum' in arm ? arm.sum : mean * n;
  return { n, count, p: count / n };
}
