import { ascendingOrder, checkPValues } from './check-p-values';

/**
 * Holm's step-down adjusted p-values (statsmodels `multipletests(method='holm')`): the i-th smallest
 * times (m − i), made non-decreasing in that order, capped at 1; returned in the input's order.
 */
export function holm(pValues: readonly number[]): number[] {
  checkPValues(pValues);
  const m = pValues.length;
  const adjusted = new Array<number>(m);
  let running = 0;
  ascendingOrder(pValues).forEach((index, rank) => {
    running = Math.max(running, pValues[index] * (m - rank));
    adjusted[index] = Math.min(1, running);
  });
  return adjusted;
}
