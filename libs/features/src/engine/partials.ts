/**
 * The engine's side of partial aggregates (the accumulators' own fields are their plugins', see
 * aggregations/): every partial starts with [n, t] — the number of events folded in (0 for an empty
 * partial, whose fields are all 0) and the newest event time —, kept here; a plugin's update, start
 * and merge handle the fields after them. Partials lie in flat arrays at `a[o …]` (see plan.ts).
 */
import type { AttributeValue } from '@pulse/contracts';
import type { AccumulatorPlan } from './plan';

type Arr = unknown[];

/** Folds one event's value into the partial at `a[o]`. */
export function updateAt(acc: AccumulatorPlan, a: Arr, o: number, t: number, id: string, v: AttributeValue): void {
  const n = a[o] as number;
  // A count has no fields of its own: no call.
  if (acc.hasFields && !acc.update(acc, a, o, n, t, id, v)) return;
  a[o] = n + 1;
  if (n === 0 || t > (a[o + 1] as number)) a[o + 1] = t;
}

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

/**
 * A merged partial, in absolute time, in the reusable `out` array: the merge of the tiles with index in
 * [lo, hi] (newest first: a canonical order, whatever the arrival order). With `tileKey`, the counts
 * per key go to `keyCounts` instead (each tile holds one value of the key). Returns false when no event
 * contributed; `out` then holds garbage.
 */
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
  const plain = tileKey === null && acc.hasFields;
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
      else if (plain) acc.start(acc, tiles, i + o, base, out);
      newest = t;
    } else {
      if (plain) acc.merge(acc, tiles, i + o, base, t, newest, out);
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
