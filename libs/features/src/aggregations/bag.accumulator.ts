/**
 * A bag: [n, t, [value, count, value, count, …]], the values as strings, sorted (one canonical form,
 * and cheaper to store than an object). A merge of tiles collects the counts in a Map (`out[2]`),
 * valid until the next merge. Memory grows with the distinct values.
 */
import { defineAccumulator, type Fields } from './aggregation.types';

export type Bag = (string | number)[];

/** The counts of the current merge of bag tiles (evaluation is synchronous: one merge at a time). */
const bagCounts = new Map<string, number>();

export const bagAccumulator = defineAccumulator<null>({
  kind: 'bag',
  reads: 'key',
  config: () => null,
  width: () => 3,
  update(_acc, a, o, n, _t, _id, v) {
    const key = String(v);
    if (n === 0) a[o + 2] = [key, 1];
    else bagAdd(a[o + 2] as Bag, key);
    return true;
  },
  start(_acc, a, p, _base, out) {
    bagCounts.clear();
    const src = a[p + 2] as Bag;
    for (let i = 0; i < src.length; i += 2) bagCounts.set(src[i] as string, src[i + 1] as number);
    out[2] = bagCounts;
  },
  merge(_acc, a, p) {
    const src = a[p + 2] as Bag;
    for (let i = 0; i < src.length; i += 2) {
      const k = src[i] as string;
      bagCounts.set(k, (bagCounts.get(k) ?? 0) + (src[i + 1] as number));
    }
  },
});

function bagAdd(bag: Bag, key: string): void {
  let lo = 0;
  let hi = bag.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = bag[mid << 1] as string;
    if (k === key) {
      (bag[(mid << 1) + 1] as number)++;
      return;
    }
    if (k < key) lo = mid + 1;
    else hi = mid;
  }
  bag.splice(lo << 1, 0, key, 1);
}

/** The bag of the partial at p[o]: a lifetime bag or a merged one (a Map). */
export function bagOf(p: Fields, o: number): Bag | Map<string, number> {
  return p[o + 2] as Bag | Map<string, number>;
}

/** The number of values in a bag. */
export function bagSize(bag: Bag | Map<string, number>): number {
  return bag instanceof Map ? bag.size : bag.length >> 1;
}

/** The most frequent value; ties go to the smallest value (numeric order for numbers). */
export function bagMode(bag: Bag | Map<string, number>, numeric: boolean): string | number | null {
  let best: string | null = null;
  let bestCount = 0;
  const consider = (k: string, c: number) => {
    if (c > bestCount || (c === bestCount && best !== null && smaller(k, best, numeric))) {
      best = k;
      bestCount = c;
    }
  };
  if (bag instanceof Map) for (const [k, c] of bag) consider(k, c);
  else for (let i = 0; i < bag.length; i += 2) consider(bag[i] as string, bag[i + 1] as number);
  if (best === null) return null;
  return numeric ? Number(best) : best;
}

function smaller(a: string, b: string, numeric: boolean): boolean {
  return numeric ? Number(a) < Number(b) : a < b;
}
