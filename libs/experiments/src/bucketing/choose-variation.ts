import { inRange, type VariationRange } from './variation-range';

/** Index of the first range holding n, or -1 when n falls outside every range (outside coverage). */
export function chooseVariation(n: number, ranges: readonly VariationRange[]): number {
  for (let i = 0; i < ranges.length; i++) if (inRange(n, ranges[i])) return i;
  return -1;
}
