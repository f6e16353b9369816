/**
 * The k most frequent values of a string field, with their counts: most frequent first, ties by value
 * (ascending, in UTF-16 code unit order, as JavaScript compares strings).
 *
 * Memory is bounded by a Space-Saving summary of m = max(32, 4k) counters per partial (per tile, or
 * over the lifetime), plus the events of the last allowedLateness not yet settled into it. Space-Saving
 * depends on the order it sees values in, so events wait in a pending list sorted by (time, value)
 * until no late event can sort before them (`settle`, at watermark − allowedLateness): online and
 * offline then feed the summary the same sequence and keep identical states.
 *
 * Counts are exact while a partial has seen at most m distinct settled values. Beyond, a reported
 * count c of a value with true count x satisfies x ≤ c ≤ x + Σ nᵢ/m over the merged partials (nᵢ the
 * settled events of partial i), and every value with x > Σ nᵢ/m is among the candidates.
 * Partial: [n, t, [value, count, …] sorted by value, [time, value, …] sorted].
 */
import { defineAccumulator, defineAggregation, option, type Fields } from './aggregation.types';
import type { FeatureFields } from '../definition/feature-view.types';

export const MAX_K = 100;

export interface TopKEntry {
  readonly value: string;
  readonly count: number;
}

interface TopKConfig {
  /** Counters of a partial's summary. */
  readonly capacity: number;
}

type Summary = (string | number)[];
type Pending = (number | string)[];

export function topKCapacity(k: number): number {
  return Math.max(32, 4 * k);
}

/** Estimated counts of the current merge, less `floor` (evaluation is synchronous: one at a time). */
const counts = new Map<string, number>();
let floor = 0;

const topKAccumulator = defineAccumulator<TopKConfig, { k: number }>({
  kind: 'topK',
  reads: 'raw',
  config: (f) => ({ capacity: topKCapacity(f.k ?? 1) }),
  signature: (f) => topKCapacity(f.k ?? 1),
  width: () => 4,
  update(_acc, a, o, n, t, _id, v) {
    if (n === 0) {
      a[o + 2] = [];
      a[o + 3] = [t, v];
    } else insertPending(a[o + 3] as Pending, t, v as string);
    return true;
  },
  start(acc, a, p, _base, out) {
    counts.clear();
    floor = 0;
    collect(a, p, acc.config.capacity);
    out[2] = counts;
  },
  merge(acc, a, p) {
    collect(a, p, acc.config.capacity);
  },
  settle(acc, a, o, cutoff) {
    if (a[o] === 0) return;
    const pending = a[o + 3] as Pending;
    const summary = a[o + 2] as Summary;
    let i = 0;
    while (i < pending.length && (pending[i] as number) < cutoff) {
      spaceSaving(summary, pending[i + 1] as string, acc.config.capacity);
      i += 2;
    }
    if (i > 0) pending.splice(0, i);
  },
});

function insertPending(list: Pending, t: number, v: string): void {
  let i = list.length;
  while (i > 0 && (t < (list[i - 2] as number) || (t === list[i - 2] && v < (list[i - 1] as string)))) i -= 2;
  list.splice(i, 0, t, v);
}

/** One Space-Saving step: count v; when it is new and the summary full, it replaces the least counted value. */
function spaceSaving(s: Summary, v: string, capacity: number): void {
  let lo = 0;
  let hi = s.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = s[mid << 1] as string;
    if (k === v) {
      (s[(mid << 1) + 1] as number)++;
      return;
    }
    if (k < v) lo = mid + 1;
    else hi = mid;
  }
  if (s.length >> 1 < capacity) {
    s.splice(lo << 1, 0, v, 1);
    return;
  }
  // Evict the least counted value, the greatest of those on a tie (the last a ranking would show).
  let min = 0;
  for (let j = 2; j < s.length; j += 2) if ((s[j + 1] as number) <= (s[min + 1] as number)) min = j;
  const c = (s[min + 1] as number) + 1;
  s.splice(min, 2);
  if (min < lo << 1) lo--;
  s.splice(lo << 1, 0, v, c);
}

/** Adds the partial at a[p] to `counts`: a value absent from a full summary may have been seen min times. */
function collect(a: Fields, p: number, capacity: number): void {
  const s = a[p + 2] as Summary;
  let min = 0;
  if (s.length >> 1 >= capacity) {
    min = Infinity;
    for (let j = 1; j < s.length; j += 2) if ((s[j] as number) < min) min = s[j] as number;
  }
  floor += min;
  for (let j = 0; j < s.length; j += 2) add(s[j] as string, (s[j + 1] as number) - min);
  const pending = a[p + 3] as Pending;
  for (let j = 1; j < pending.length; j += 2) add(pending[j] as string, 1);
}

function add(v: string, c: number): void {
  counts.set(v, (counts.get(v) ?? 0) + c);
}

function ranking(k: number): TopKEntry[] {
  const all: TopKEntry[] = [];
  for (const [value, c] of counts) all.push({ value, count: c + floor });
  all.sort((x, y) => y.count - x.count || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
  if (all.length > k) all.length = k;
  return all;
}

const kOption = option<number>({
  required: true,
  describe: `an integer in [1, ${MAX_K}]`,
  check: (v) =>
    Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_K
      ? undefined
      : `k must be an integer in [1, ${MAX_K}], got ${JSON.stringify(v) ?? String(v)}`,
});

/** The top k values with their counts, most frequent first. Empty: []. */
export const topK = defineAggregation({
  name: 'topK',
  field: 'categorical',
  options: { k: kOption },
  accumulator: topKAccumulator,
  windowed: true,
  asOf: 'tiles',
  valueType: () => 'ranking',
  value(found, p, o, f): readonly TopKEntry[] {
    if (!found) return [];
    if (p[o + 2] !== counts) {
      // A lifetime partial, read as it lies in the state.
      counts.clear();
      floor = 0;
      collect(p, o, (f.acc!.config as TopKConfig).capacity);
    }
    return ranking((f.definition as FeatureFields & { k: number }).k);
  },
});
