// Evidently's two-proportion Z-test (evidently/legacy/calculations/stattests/z_stattest.py), its
// default for a column of at most two categories when the reference has at most 1,000 rows: each
// value is 0 if it is the first category (sorted) and 1 otherwise; z = (p1 − p2) / sqrt(P(1 − P)
// (1/n1 + 1/n2)) with P pooled; p = 2 (1 − Φ(|z|)). One shared category in both samples gives p = 1.
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

export interface ZTestResult {
  statistic: number;
  pValue: number;
}

/**
 * @param ones1 reference values that are not the first category; n1 the reference size
 * @param ones2 likewise for the current sample
 */
export function proportionsZTest(ones1: number, n1: number, ones2: number, n2: number): ZTestResult {
  const p1 = ones1 / n1;
  const p2 = ones2 / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const statistic = (p1 - p2) / Math.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2));
  return { statistic, pValue: 2 * (1 - normalCdf(Math.abs(statistic), 0, 1)) };
}
