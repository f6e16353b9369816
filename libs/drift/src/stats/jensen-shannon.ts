// scipy.spatial.distance.jensenshannon(p, q) with the natural logarithm: each vector normalised to
// sum 1, m = (p + q) / 2, distance = sqrt((Σ rel_entr(p, m) + Σ rel_entr(q, m)) / 2).
import { numpySum } from '../binning/numpy-sum';

/** scipy.special.rel_entr: x·log(x/y) for x, y > 0; 0 for x = 0, y >= 0; +∞ otherwise. */
function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const k = p.length;
  const sp = numpySum(p);
  const sq = numpySum(q);
  const left = new Float64Array(k);
  const right = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    const m = (pi + qi) / 2.0;
    left[i] = relEntr(pi, m);
    right[i] = relEntr(qi, m);
  }
  return Math.sqrt((numpySum(left) + numpySum(right)) / 2.0);
}
