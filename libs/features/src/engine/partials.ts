/**
 * Partial aggregates, updated in place where they lie in a flat array (`a[o …]`, see plan.ts). Every
 * update and merge is commutative, associative and exact, so a partial is a function of the set of
 * events folded into it, whatever their order:
 * - counts and sums are exact integers (numeric values are scaled to integers at the feature's
 *   precision before summing), min/max are order-free, first/last compare (event time, event id),
 *   a bag counts values, and the streak keeps recent outcomes sorted by (time, id).
 * Fields (index 0 = number of events, 0 for an empty partial whose fields are all 0; 1 = newest event
 * time, then): count [n, t] · moments [n, t, S, S2?] · min/max [n, t, v] · first [n, t, ft, fid, fv]
 * · last [n, t, lid, lv] (its time is t) · bag [n, t, [value, count, value, count, …]] (values as
 * strings, sorted: one canonical form, and cheaper to store than an object) · streak [n, t, final,
 * [[t, id, ok]…]]
 */
import type { AttributeValue } from '@pulse/contracts';
import type { ExactInt } from './entity-state';
import { addExact, squareExact, toBigInt, toNumber } from './exact-int';
import type { AccumulatorPlan } from './plan';

type Arr = unknown[];
export type StreakEntry = [number, string, number];

/** Folds one event's value into the partial at `a[o]`. */
export function updateAt(acc: AccumulatorPlan, a: Arr, o: number, t: number, id: string, v: AttributeValue): void {
  const n = a[o] as number;
  switch (acc.kind) {
    case 'count':
      break;
    case 'moments': {
      const q = Math.round((v as number) * acc.scale) + 0; // + 0: never -0
      // A value too large for exact integers at this precision cannot be summed exactly: left out.
      if (!Number.isSafeInteger(q)) return;
      a[o + 2] = n === 0 ? q : addExact(a[o + 2] as ExactInt, q);
      if (acc.order2) a[o + 3] = n === 0 ? squareExact(q) : addExact(a[o + 3] as ExactInt, squareExact(q));
      break;
    }
    case 'min':
    case 'max':
      if (n === 0 || (acc.kind === 'min' ? (v as number) < (a[o + 2] as number) : (v as number) > (a[o + 2] as number)))
        a[o + 2] = v;
      break;
    case 'first':
      if (n === 0 || t < (a[o + 2] as number) || (t === a[o + 2] && id < (a[o + 3] as string))) {
        a[o + 2] = t;
        a[o + 3] = id;
        a[o + 4] = v;
      }
      break;
    case 'last':
      // Its time is the partial's newest time: compared before that is updated below.
      if (n === 0 || t > (a[o + 1] as number) || (t === a[o + 1] && id > (a[o + 2] as string))) {
        a[o + 2] = id;
        a[o + 3] = v;
      }
      break;
    case 'bag': {
      const key = String(v);
      if (n === 0) a[o + 2] = [key, 1];
      else bagAdd(a[o + 2] as Bag, key);
      break;
    }
    case 'streak': {
      const entry: StreakEntry = [t, id, v === true || (typeof v === 'number' && v !== 0) ? 1 : 0];
      if (n === 0) a[o + 3] = [entry];
      else insertSorted(a[o + 3] as StreakEntry[], entry);
      break;
    }
  }
  a[o] = n + 1;
  if (n === 0 || t > (a[o + 1] as number)) a[o + 1] = t;
}

/** A bag: values (strings, sorted) and their counts, side by side. */
export type Bag = (string | number)[];

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

function insertSorted(list: StreakEntry[], e: StreakEntry): void {
  let i = list.length;
  while (i > 0 && before(e, list[i - 1])) i--;
  list.splice(i, 0, e);
}

function before(a: StreakEntry, b: StreakEntry): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/**
 * Folds outcomes older than `cutoff` into the finalised streak of the partial at `a[o]`. No event older
 * than the cutoff can be applied any more (it would be too late), so they can never be reordered.
 */
export function finaliseStreak(a: Arr, o: number, cutoff: number): void {
  if (a[o] === 0) return;
  const pending = a[o + 3] as StreakEntry[];
  let k = 0;
  let s = a[o + 2] as number;
  while (k < pending.length && pending[k][0] < cutoff) {
    s = pending[k][2] ? s + 1 : 0;
    k++;
  }
  if (k > 0) {
    a[o + 2] = s;
    pending.splice(0, k);
  }
}

export function streakValue(a: Arr, o: number): number {
  let s = a[o + 2] as number;
  for (const e of a[o + 3] as StreakEntry[]) s = e[2] ? s + 1 : 0;
  return s;
}

/**
 * A merged partial, in absolute time, in the reusable `out` array: the lifetime partial, or the merge
 * of the tiles with index in [lo, hi] (in index order: a canonical order, whatever the arrival order).
 * With `tileKey`, the bag is `keyCounts` instead, built from the tiles' counts (each tile holds one
 * value of the key). Returns false when no event contributed. `out` then holds garbage.
 */
/**
 * Counts by numeric key, reused by every tile-keyed merge (valid until the next one). Keys are few (24
 * hours, 7 days of the week, or days that arrive in order), so a linear search from the newest key
 * beats a Map.
 */
class KeyCounts {
  private readonly keys: number[] = [];
  private readonly counts: number[] = [];
  size = 0;

  reset(): void {
    this.size = 0;
  }

  add(key: number, n: number): void {
    let j = this.size - 1;
    while (j >= 0 && this.keys[j] !== key) j--;
    if (j >= 0) this.counts[j] += n;
    else {
      this.keys[this.size] = key;
      this.counts[this.size] = n;
      this.size++;
    }
  }

  /** The most frequent key; ties go to the smallest. */
  mode(): number | null {
    let best: number | null = null;
    let bestCount = 0;
    for (let j = 0; j < this.size; j++) {
      const k = this.keys[j];
      const c = this.counts[j];
      if (c > bestCount || (c === bestCount && best !== null && k < best)) {
        best = k;
        bestCount = c;
      }
    }
    return best;
  }
}

export const keyCounts = new KeyCounts();
/** The bag of a merge of bag tiles (out[2]); valid until the next merge. */
const bagCounts = new Map<string, number>();

export function mergeRange(
  acc: AccumulatorPlan,
  tiles: Arr | undefined,
  lo: number,
  hi: number,
  tileKey: ((idx: number) => number) | null,
  out: Arr,
): boolean {
  if (tiles === undefined) return false;
  const size = acc.groupSize;
  const o = acc.offset;
  const plain = tileKey === null && acc.kind !== 'count';
  // In locals, not in `out` (mixed values: a number written there is boxed).
  let total = 0;
  let newest = 0;
  // Tiles are sorted: start at the newest and walk back to lo.
  let i = tiles.length - size;
  while (i >= 0 && (tiles[i] as number) > hi) i -= size;
  for (; i >= 0; i -= size) {
    const idx = tiles[i] as number;
    if (idx < lo) break;
    const n = tiles[i + o] as number;
    if (n === 0) continue;
    const base = idx * acc.tileMs;
    const t = (tiles[i + o + 1] as number) + base;
    if (total === 0) {
      if (tileKey !== null) keyCounts.reset();
      else if (plain) startFrom(acc, tiles, i + o, base, out);
      newest = t;
    } else {
      if (plain) mergeInto(acc, tiles, i + o, base, t, newest, out);
      if (t > newest) newest = t;
    }
    if (tileKey !== null) keyCounts.add(tileKey(idx), n);
    total += n;
  }
  if (total === 0) return false;
  out[0] = total;
  out[1] = newest;
  return true;
}

function startFrom(acc: AccumulatorPlan, a: Arr, p: number, base: number, out: Arr): void {
  switch (acc.kind) {
    case 'moments':
      out[2] = a[p + 2];
      if (acc.order2) out[3] = a[p + 3];
      return;
    case 'min':
    case 'max':
      out[2] = a[p + 2];
      return;
    case 'first':
      out[2] = (a[p + 2] as number) + base;
      out[3] = a[p + 3];
      out[4] = a[p + 4];
      return;
    case 'last':
      out[2] = a[p + 2];
      out[3] = a[p + 3];
      return;
    case 'bag': {
      bagCounts.clear();
      const src = a[p + 2] as Bag;
      for (let i = 0; i < src.length; i += 2) bagCounts.set(src[i] as string, src[i + 1] as number);
      out[2] = bagCounts;
      return;
    }
    default:
      return;
  }
}

// Merges into `out` (absolute times) the partial at a[p], newest time t; `newest`: of the merge so far.
function mergeInto(acc: AccumulatorPlan, a: Arr, p: number, base: number, t: number, newest: number, out: Arr): void {
  switch (acc.kind) {
    case 'moments':
      out[2] = addExact(out[2] as ExactInt, a[p + 2] as ExactInt);
      if (acc.order2) out[3] = addExact(out[3] as ExactInt, a[p + 3] as ExactInt);
      return;
    case 'min':
      if ((a[p + 2] as number) < (out[2] as number)) out[2] = a[p + 2];
      return;
    case 'max':
      if ((a[p + 2] as number) > (out[2] as number)) out[2] = a[p + 2];
      return;
    case 'first': {
      const ft = (a[p + 2] as number) + base;
      if (ft < (out[2] as number) || (ft === out[2] && (a[p + 3] as string) < (out[3] as string))) {
        out[2] = ft;
        out[3] = a[p + 3];
        out[4] = a[p + 4];
      }
      return;
    }
    case 'last':
      if (t > newest || (t === newest && (a[p + 2] as string) > (out[2] as string))) {
        out[2] = a[p + 2];
        out[3] = a[p + 3];
      }
      return;
    case 'bag': {
      const src = a[p + 2] as Bag;
      for (let i = 0; i < src.length; i += 2) {
        const k = src[i] as string;
        bagCounts.set(k, (bagCounts.get(k) ?? 0) + (src[i + 1] as number));
      }
      return;
    }
    default:
      return;
  }
}

export function momentsSum(p: Arr, o: number, scale: number): number {
  return toNumber(p[o + 2] as ExactInt) / scale;
}

export function momentsMean(p: Arr, o: number, scale: number): number {
  return toNumber(p[o + 2] as ExactInt) / ((p[o] as number) * scale);
}

/** Population variance, from exact integer moments (no cancellation error). */
export function momentsVariance(p: Arr, o: number, scale: number): number {
  const s = p[o + 2];
  const s2 = p[o + 3];
  if (typeof s === 'number' && typeof s2 === 'number') {
    // Products below 2^53 are exact in floating point too: the same result as the BigInt path, cheaper.
    const n = p[o] as number;
    const a = n * s2;
    const b = s * s;
    if (Number.isSafeInteger(a) && Number.isSafeInteger(b) && Number.isSafeInteger(n * n))
      return (a - b) / (n * n) / (scale * scale);
  }
  const n = BigInt(p[o] as number);
  const num = n * toBigInt(p[o + 3] as ExactInt) - toBigInt(p[o + 2] as ExactInt) ** 2n;
  return Number(num) / Number(n * n) / (scale * scale);
}

/** The number of values in a bag: a lifetime bag or a merged one (a Map). */
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
