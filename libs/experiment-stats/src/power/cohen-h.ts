import { assertInRange } from '@pulse/core';

/** Cohen's h between two proportions: 2·asin(√p1) − 2·asin(√p2) (statsmodels `proportion_effectsize(p1, p2)`). */
export function cohenH(p1: number, p2: number): number {
  assertInRange(p1, 'p1', 0, 1);
  assertInRange(p2, 'p2', 0, 1);
  return 2 * (Math.asin(Math.sqrt(p1)) - Math.asin(Math.sqrt(p2)));
}
