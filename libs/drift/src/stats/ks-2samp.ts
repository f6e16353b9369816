// The two-sample Kolmogorov-Smirnov test, two-sided, as scipy.stats.ks_2samp(data1, data2) computes
// it with method='auto' (scipy/stats/_stats_py.py: `ks_2samp`, `_attempt_exact_2kssamp`,
// `_compute_prob_outside_square`; scipy/stats/_stats_pythran.py: `_compute_outer_prob_inside_method`):
//   - D = max |F1(x) − F2(x)| over the pooled values, each ECDF as count / size in double;
//   - 'exact' when max(n1, n2) <= 10,000: D is snapped to h / lcm(n1, n2) with h = round(D · lcm) (and
//     that snapped D is the statistic scipy returns); p = the proportion of lattice paths from (0, 0)
//     to (n1, n2) that leave the band |x/n1 − y/n2| < h/lcm (Hodges 1958; for n1 ≠ n2 the recursion
//     for 1 − p of Viehmann 2021, arXiv:2102.08037); a p outside [0, 1] falls back to 'asymp';
//   - 'asymp' otherwise: p = kstwo.sf(D, round(n1·n2 / (n1 + n2))).
import { clip01, roundHalfEven } from './float-utils';
import { kstwoSf } from './kstwo';

/** scipy's MAX_AUTO_N: the exact distribution up to this many values in the larger sample. */
export const KS_EXACT_MAX_N = 10_000;

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymp';
}

/** D = sup |F1 − F2| of two sorted finite samples, each ECDF evaluated as scipy does (count / n). */
export function ksStatistic(sorted1: ArrayLike<number>, sorted2: ArrayLike<number>): number {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  let i = 0;
  let j = 0;
  let max = 0;
  let min = 0;
  while (i < n1 || j < n2) {
    // the next pooled value; both ECDFs just after it (searchsorted side='right')
    const x = j >= n2 || (i < n1 && sorted1[i] <= sorted2[j]) ? sorted1[i] : sorted2[j];
    while (i < n1 && sorted1[i] <= x) i++;
    while (j < n2 && sorted2[j] <= x) j++;
    const diff = i / n1 - j / n2;
    if (diff > max) max = diff;
    if (diff < min) min = diff;
  }
  return Math.max(max, Math.min(-min, 1));
}

/** ks_2samp's two-sided p-value (and returned statistic) for a statistic D of samples of n1 and n2. */
export function ksTest(d: number, n1: number, n2: number): KsResult {
  if (!Number.isInteger(n1) || !Number.isInteger(n2) || n1 < 1 || n2 < 1)
    throw new RangeError(`sample sizes must be integers >= 1, got ${n1} and ${n2}`);
  let statistic = d;
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    statistic = h / lcm;
    if (h === 0) return { statistic, pValue: 1, method: 'exact' };
    const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
    if (p >= 0 && p <= 1) return { statistic, pValue: p, method: 'exact' };
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  return { statistic, pValue: clip01(kstwoSf(statistic, roundHalfEven(en))), method: 'asymp' };
}

/** ks_2samp(sample1, sample2) for sorted finite samples. */
export function ks2samp(sorted1: ArrayLike<number>, sorted2: ArrayLike<number>): KsResult {
  if (sorted1.length === 0 || sorted2.length === 0) throw new RangeError('ks_2samp needs two non-empty samples');
  return ksTest(ksStatistic(sorted1, sorted2), sorted1.length, sorted2.length);
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
}

/**
 * P(D_{n,n} >= h/n) = 2 (A₀ − A₀A₁ + A₀A₁A₂ − …) with each binomial ratio formed as a product of h
 * simple factors and the series evaluated Horner-like from the innermost term, as scipy does.
 */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * The proportion of lattice paths from (0, 0) to (m, n) that do not stay strictly inside
 * |x/m − y/n| < h / lcm(m, n): one sliding column of the path-count matrix, each entry already
 * divided by its binomial coefficient, so it holds 1 − (proportion inside) directly.
 */
function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1];
}
