import { ascendingOrder, checkPValues } from './check-p-values';

/**
 * Benjamini–Hochberg adjusted p-values (statsmodels `multipletests(method='fdr_bh')`): the i-th
 * smallest divided by i/m, made non-increasing from the largest down, capped at 1; returned in the
 * input's order.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  checkPValues(pValues);
  const m = pValues.length;
  const order = ascendingOrder(pValues);
  const adjusted = new Array<number>(m);
  let running = Infinity;
  for (let rank = m - 1; rank >= 0; rank--) {
    const index = order[rank];
    // p / (i/m), as statsmodels divides by its ecdf factor: the same rounding.
    running = Math.min(running, pValues[index] / ((rank + 1) / m));
    adjusted[index] = Math.min(1, running);
  }
  return adjusted;
}
