// Bin proportions as Evidently's `get_binned_data` returns them (evidently/legacy/calculations/
// stattests/utils.py): count / sample size, with zeros replaced for PSI only.

export function proportions(counts: ArrayLike<number>, total: number): Float64Array {
  const p = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) p[i] = counts[i] / total;
  return p;
}

/**
 * Evidently's `feel_zeroes`: every proportion of exactly 0 becomes 0.0001, or, when the smallest
 * non-zero proportion is itself <= 0.0001 (samples of more than 10,000), that proportion / 10^6.
 * Non-zero proportions are left as they are (no floor). Used by PSI, not by Jensen-Shannon.
 */
export function fillZeroes(p: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(p);
  let smallest = Infinity;
  for (const v of out) if (v !== 0 && v < smallest) smallest = v;
  if (smallest === Infinity) return out;
  const fill = smallest <= 0.0001 ? smallest / 10 ** 6 : 0.0001;
  for (let i = 0; i < out.length; i++) if (out[i] === 0) out[i] = fill;
  return out;
}
