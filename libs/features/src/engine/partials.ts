/**
 * Partial aggregates. Every update and merge is commutative and associative and exact, so a partial is
 * a function of the set of events folded into it, whatever their order:
 * - counts and sums are exact integers (numeric values are scaled to integers at the feature's
 *   precision before summing), min/max are order-free, first/last compare (event time, event id),
 *   a bag counts values, and the streak keeps recent outcomes sorted by (time, id).
 * Layouts (positional arrays; index 0 = number of events, 1 = newest event time, then):
 *   count [n, t] · moments [n, t, S, S2?] · min/max [n, t, v] · first [n, t, ft, fid, fv]
 *   last [n, t, lid, lv] (its time is t) · bag [n, t, {value: count}] · streak [n, t, final, [[t, id, ok]...]]
 */
import type { AttributeValue } from '@pulse/contracts';
import type { ExactInt, Partial } from './entity-state';
import { addExact, squareExact, toBigInt, toNumber } from './exact-int';
import type { AccumulatorPlan } from './plan';

type Arr = unknown[];
export type StreakEntry = [number, string, number];

/** Folds one event's value into a partial; returns the (possibly new) partial. */
export function updatePartial(acc: AccumulatorPlan, p: Partial, t: number, id: string, v: AttributeValue): Partial {
  switch (acc.kind) {
    case 'count':
      if (p === 0) return [1, t];
      p[0] = (p[0] as number) + 1;
      if (t > (p[1] as number)) p[1] = t;
      return p;
    case 'moments': {
      const q = Math.round((v as number) * acc.scale) + 0; // + 0: never -0
      // A value too large for exact integers at this precision cannot be summed exactly: left out.
      if (!Number.isSafeInteger(q)) return p;
      if (p === 0) return acc.order2 ? [1, t, q, squareExact(q)] : [1, t, q];
      p[0] = (p[0] as number) + 1;
      if (t > (p[1] as number)) p[1] = t;
      p[2] = addExact(p[2] as ExactInt, q);
      if (acc.order2) p[3] = addExact(p[3] as ExactInt, squareExact(q));
      return p;
    }
    case 'min':
    case 'max':
      if (p === 0) return [1, t, v];
      p[0] = (p[0] as number) + 1;
      if (t > (p[1] as number)) p[1] = t;
      if (acc.kind === 'min' ? (v as number) < (p[2] as number) : (v as number) > (p[2] as number)) p[2] = v;
      return p;
    case 'first':
      if (p === 0) return [1, t, t, id, v];
      p[0] = (p[0] as number) + 1;
      if (t > (p[1] as number)) p[1] = t;
      if (t < (p[2] as number) || (t === p[2] && id < (p[3] as string))) {
        p[2] = t;
        p[3] = id;
        p[4] = v;
      }
      return p;
    case 'last':
      if (p === 0) return [1, t, id, v];
      p[0] = (p[0] as number) + 1;
      if (t > (p[1] as number) || (t === p[1] && id > (p[2] as string))) {
        p[1] = t;
        p[2] = id;
        p[3] = v;
      }
      return p;
    case 'bag': {
      const key = String(v);
      if (p === 0) return [1, t, { [key]: 1 }];
      p[0] = (p[0] as number) + 1;
      if (t > (p[1] as number)) p[1] = t;
      const bag = p[2] as Record<string, number>;
      bag[key] = (bag[key] ?? 0) + 1;
      return p;
    }
    case 'streak': {
      const ok = v === true || (typeof v === 'number' && v !== 0) ? 1 : 0;
      const entry: StreakEntry = [t, id, ok];
      if (p === 0) return [1, t, 0, [entry]];
      p[0] = (p[0] as number) + 1;
      if (t > (p[1] as number)) p[1] = t;
      insertSorted(p[3] as StreakEntry[], entry);
      return p;
    }
  }
}

/**
 * Tiles keep their partials flat, side by side in one array (`[tileIndex, …fields]`, all fields 0 for
 * an empty partial): far cheaper to parse and serialise than nested arrays.
 */
export function updateInTile(acc: AccumulatorPlan, entry: unknown[], t: number, id: string, v: AttributeValue): void {
  const o = acc.offset;
  const p = updatePartial(acc, entry[o] === 0 ? 0 : entry.slice(o, o + acc.width), t, id, v);
  if (p === 0) return;
  for (let i = 0; i < acc.width; i++) entry[o + i] = p[i];
}

/** The partial of an accumulator in a tile entry, or 0 when empty. */
export function partialInTile(acc: AccumulatorPlan, entry: unknown[]): Partial {
  return entry[acc.offset] === 0 ? 0 : entry.slice(acc.offset, acc.offset + acc.width);
}

function insertSorted(list: StreakEntry[], e: StreakEntry): void {
  let i = list.length;
  while (i > 0 && before(e, list[i - 1])) i--;
  list.splice(i, 0, e);
}

function before(a: StreakEntry, b: StreakEntry): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/**
 * Folds outcomes older than `cutoff` into the finalised streak. No event older than the cutoff can be
 * applied any more (it would be too late), so they can never be reordered.
 */
export function finaliseStreak(p: Arr, cutoff: number): void {
  const pending = p[3] as StreakEntry[];
  let k = 0;
  let s = p[2] as number;
  while (k < pending.length && pending[k][0] < cutoff) {
    s = pending[k][2] ? s + 1 : 0;
    k++;
  }
  if (k > 0) {
    p[2] = s;
    pending.splice(0, k);
  }
}

export function streakValue(p: Arr): number {
  let s = p[2] as number;
  for (const e of p[3] as StreakEntry[]) s = e[2] ? s + 1 : 0;
  return s;
}

/** A tile's partial with its times (relative to the tile start) made absolute. */
export function toAbsolute(acc: AccumulatorPlan, p: Arr, base: number): Arr {
  const q = p.slice();
  q[1] = (q[1] as number) + base;
  if (acc.kind === 'first') q[2] = (q[2] as number) + base;
  return q;
}

/** Merges partials of several tiles into a fresh one (never modifies its inputs). */
export function mergePartials(acc: AccumulatorPlan, parts: readonly Arr[]): Arr | 0 {
  if (parts.length === 0) return 0;
  if (parts.length === 1 && acc.kind !== 'bag') return parts[0];
  let n = 0;
  let t = -Infinity;
  for (const p of parts) {
    n += p[0] as number;
    if ((p[1] as number) > t) t = p[1] as number;
  }
  switch (acc.kind) {
    case 'count':
      return [n, t];
    case 'moments': {
      let s: ExactInt = 0;
      let s2: ExactInt = 0;
      for (const p of parts) {
        s = addExact(s, p[2] as ExactInt);
        if (acc.order2) s2 = addExact(s2, p[3] as ExactInt);
      }
      return acc.order2 ? [n, t, s, s2] : [n, t, s];
    }
    case 'min':
    case 'max': {
      let v = parts[0][2] as number;
      for (const p of parts) if (acc.kind === 'min' ? (p[2] as number) < v : (p[2] as number) > v) v = p[2] as number;
      return [n, t, v];
    }
    case 'first': {
      let best = parts[0];
      for (const p of parts) if ((p[2] as number) < (best[2] as number) || (p[2] === best[2] && (p[3] as string) < (best[3] as string))) best = p;
      return [n, t, best[2], best[3], best[4]];
    }
    case 'last': {
      let best = parts[0];
      for (const p of parts) if ((p[1] as number) > (best[1] as number) || (p[1] === best[1] && (p[2] as string) > (best[2] as string))) best = p;
      return [n, t, best[2], best[3]];
    }
    case 'bag': {
      const bag: Record<string, number> = {};
      for (const p of parts) for (const [k, c] of Object.entries(p[2] as Record<string, number>)) bag[k] = (bag[k] ?? 0) + c;
      return [n, t, bag];
    }
    case 'streak':
      // Lifetime only (validated): a single partial, returned above.
      return parts[0];
  }
}

export function momentsSum(p: Arr, scale: number): number {
  return toNumber(p[2] as ExactInt) / scale;
}

export function momentsMean(p: Arr, scale: number): number {
  return toNumber(p[2] as ExactInt) / ((p[0] as number) * scale);
}

/** Population variance, from exact integer moments (no cancellation error). */
export function momentsVariance(p: Arr, scale: number): number {
  const n = BigInt(p[0] as number);
  const num = n * toBigInt(p[3] as ExactInt) - toBigInt(p[2] as ExactInt) ** 2n;
  return Number(num) / Number(n * n) / (scale * scale);
}

/** The most frequent value; ties go to the smallest value (numeric order for numbers). */
export function bagMode(bag: Record<string, number>, numeric: boolean): string | number | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const [k, c] of Object.entries(bag)) {
    if (c > bestCount || (c === bestCount && best !== null && smaller(k, best, numeric))) {
      best = k;
      bestCount = c;
    }
  }
  if (best === null) return null;
  return numeric ? Number(best) : best;
}

function smaller(a: string, b: string, numeric: boolean): boolean {
  return numeric ? Number(a) < Number(b) : a < b;
}
