// scipy.stats.wasserstein_distance(u, v) for two samples (scipy/stats/_stats_py.py, `_cdf_distance`
// with p = 1): the integral of |U(x) − V(x)| between consecutive pooled values, each ECDF as
// count / size.

/** W₁ of two sorted finite samples. */
export function wassersteinDistance(sortedU: ArrayLike<number>, sortedV: ArrayLike<number>): number {
  const nu = sortedU.length;
  const nv = sortedV.length;
  if (nu === 0 || nv === 0) throw new RangeError('wasserstein_distance needs two non-empty samples');
  let i = 0;
  let j = 0;
  let sum = 0;
  let x = Math.min(sortedU[0], sortedV[0]);
  while (i < nu || j < nv) {
    while (i < nu && sortedU[i] <= x) i++;
    while (j < nv && sortedV[j] <= x) j++;
    if (i === nu && j === nv) break;
    const next = j >= nv || (i < nu && sortedU[i] <= sortedV[j]) ? sortedU[i] : sortedV[j];
    sum += Math.abs(i / nu - j / nv) * (next - x);
    x = next;
  }
  return sum;
}

/**
 * W₁ of two discrete distributions given as masses on shared, increasing support points (binned
 * data): Σ |U(xₖ) − V(xₖ)| (xₖ₊₁ − xₖ) with U, V the cumulative masses / totals.
 */
export function wassersteinFromMasses(
  points: ArrayLike<number>,
  massU: ArrayLike<number>,
  totalU: number,
  massV: ArrayLike<number>,
  totalV: number,
): number {
  let cu = 0;
  let cv = 0;
  let sum = 0;
  for (let k = 0; k + 1 < points.length; k++) {
    cu += massU[k];
    cv += massV[k];
    const gap = points[k + 1] - points[k];
    if (gap > 0) sum += Math.abs(cu / totalU - cv / totalV) * gap;
  }
  return sum;
}
