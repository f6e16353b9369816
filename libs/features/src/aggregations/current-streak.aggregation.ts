/**
 * The number of consecutive true outcomes up to the newest, in (time, id) order. The partial is
 * [n, t, final, [[t, id, ok], …]]: outcomes within the allowed lateness stay sorted (a late one may
 * still sort before them); older ones are settled into `final`, which no later event can reorder.
 */
import { defineAccumulator, defineAggregation, type Fields } from './aggregation.types';

export type StreakEntry = [number, string, number];

const streakAccumulator = defineAccumulator<null>({
  kind: 'streak',
  reads: 'raw',
  config: () => null,
  width: () => 4,
  update(_acc, a, o, n, t, id, v) {
    const entry: StreakEntry = [t, id, v === true || (typeof v === 'number' && v !== 0) ? 1 : 0];
    if (n === 0) a[o + 3] = [entry];
    else insertSorted(a[o + 3] as StreakEntry[], entry);
    return true;
  },
  // Lifetime only: never merged.
  start: () => undefined,
  merge: () => undefined,
  settle(_acc, a, o, cutoff) {
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
  },
});

function insertSorted(list: StreakEntry[], e: StreakEntry): void {
  let i = list.length;
  while (i > 0 && before(e, list[i - 1])) i--;
  list.splice(i, 0, e);
}

function before(a: StreakEntry, b: StreakEntry): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

function streakValue(a: Fields, o: number): number {
  let s = a[o + 2] as number;
  for (const e of a[o + 3] as StreakEntry[]) s = e[2] ? s + 1 : 0;
  return s;
}

/** The current run of true outcomes of a boolean field. Empty: 0. */
export const currentStreak = defineAggregation({
  name: 'currentStreak',
  field: 'boolean',
  options: {},
  accumulator: streakAccumulator,
  windowed: false,
  asOf: 'tiles',
  valueType: () => 'number',
  value: (found, p, o): number => (found ? streakValue(p, o) : 0),
});
