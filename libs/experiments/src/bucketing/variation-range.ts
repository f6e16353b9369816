/** A half-open interval [start, end) of the unit hash in [0, 1). */
export type VariationRange = readonly [start: number, end: number];

export function inRange(n: number, range: VariationRange): boolean {
  return n >= range[0] && n < range[1];
}
