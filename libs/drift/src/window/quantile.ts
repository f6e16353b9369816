// np.quantile(sorted, q) with the default 'linear' method: the virtual index (n − 1)·q, interpolated
// as numpy's `_lerp` does (from the upper neighbour when the fraction is >= 0.5).
export function numpyQuantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const index = (n - 1) * q;
  const lo = Math.floor(index);
  if (lo >= n - 1) return sorted[n - 1];
  const t = index - lo;
  const a = sorted[lo];
  const b = sorted[lo + 1];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}
