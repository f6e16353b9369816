import type { PredictionFactor } from '@pulse/contracts';
import type { ServableModel } from '../loading/servable-model';

/** Factors a prediction reports unless told otherwise. */
export const DEFAULT_TOP_FACTORS = 5;

/**
 * The k largest TreeSHAP contributions by absolute value to output `output` (binary: the positive
 * class's log-odds; multiclass: that class's margin), largest first; features contributing exactly 0
 * are left out. One explanation costs a fixed walk of the model's trees (measured in bench/).
 */
export function topFactors(
  servable: ServableModel,
  row: ArrayLike<number>,
  output: number,
  k: number,
): PredictionFactor[] {
  if (k <= 0) return [];
  const F = servable.numFeatures;
  const { contributions } = servable.explain(row);
  const base = output * F;
  // insertion into a short list of the best so far: k is small against F
  const best: number[] = [];
  for (let f = 0; f < F; f++) {
    const c = Math.abs(contributions[base + f]);
    if (c === 0) continue;
    if (best.length === k && c <= Math.abs(contributions[base + best[k - 1]])) continue;
    let at = best.length < k ? best.length : k - 1;
    while (at > 0 && Math.abs(contributions[base + best[at - 1]]) < c) at--;
    best.splice(at, 0, f);
    if (best.length > k) best.pop();
  }
  return best.map((f) => ({ feature: servable.featureNames[f], value: row[f], contribution: contributions[base + f] }));
}
