// Population Stability Index as Evidently's `_psi` sums it: Σ (r − c) · ln(r / c) over bins, on
// proportions whose zeros were filled (binning/proportions.ts fillZeroes).
import { numpySum } from '../binning/numpy-sum';

export function populationStabilityIndex(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const terms = new Float64Array(reference.length);
  for (let i = 0; i < terms.length; i++) terms[i] = (reference[i] - current[i]) * Math.log(reference[i] / current[i]);
  return numpySum(terms);
}
