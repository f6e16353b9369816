// np.mean / np.std (population, ddof=0) with numpy's pairwise sums.
import { numpySum } from '../binning/numpy-sum';

export function numpyMean(values: ArrayLike<number>): number {
  return numpySum(values) / values.length;
}

export function numpyStd(values: ArrayLike<number>): number {
  const mean = numpyMean(values);
  const sq = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - mean;
    sq[i] = d * d;
  }
  return Math.sqrt(numpySum(sq) / values.length);
}
