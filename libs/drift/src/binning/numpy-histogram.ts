// numpy's histogram binning, reproduced operation for operation so the edges and counts are the
// same numbers: np.linspace, np.histogram_bin_edges(a, bins='sturges') and np.histogram(a, edges)
// (numpy/lib/_histograms_impl.py, numpy/_core/function_base.py).

/** np.linspace(start, stop, num) with endpoint=True: start + i·step, the last value exactly `stop`. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const y = new Float64Array(num);
  const div = num - 1;
  const delta = stop - start;
  if (div > 0) {
    const step = delta / div;
    // numpy's path for a step that underflows to 0 (gh-5437): divide first, then scale
    if (step === 0) for (let i = 0; i < num; i++) y[i] = (i / div) * delta + start;
    else for (let i = 0; i < num; i++) y[i] = i * step + start;
    y[num - 1] = stop;
  } else if (num === 1) {
    y[0] = start;
  }
  return y;
}

/**
 * np.histogram_bin_edges(a, bins='sturges') for finite values whose minimum and maximum are given:
 * width = (max − min) / (log2(n) + 1), bins = ceil((max − min) / width), edges = linspace(min, max,
 * bins + 1). As numpy: a constant sample gets the one bin [v − 0.5, v + 0.5]; an integer array (numpy
 * int64, `integral`) gets a width of at least 1; edges that fail to increase (a range too small for
 * the bins) are an error.
 */
export function sturgesEdges(min: number, max: number, size: number, integral: boolean): Float64Array {
  if (size === 0) return linspace(0, 1, 2);
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  let bins = 1;
  let width = (max - min) / (Math.log2(size) + 1.0);
  if (width) {
    if (integral && width < 1) width = 1;
    bins = Math.ceil((last - first) / width);
  }
  const edges = linspace(first, last, bins + 1);
  for (let i = 0; i + 1 < edges.length; i++) {
    if (!(edges[i] < edges[i + 1]))
      throw new RangeError(`too many bins for the data range: cannot create ${bins} bins between ${first} and ${last}`);
  }
  return edges;
}

/** Index of the first element >= x (side='left') or > x (side='right') in a sorted array. */
export function searchSorted(sorted: ArrayLike<number>, x: number, side: 'left' | 'right'): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (side === 'left' ? sorted[mid] < x : sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * np.histogram(a, edges)[0] for sorted finite values: bin i holds edges[i] <= v < edges[i+1], the last
 * bin also v = edges[last]; values outside the edges are not counted.
 */
export function histogramCounts(sorted: ArrayLike<number>, edges: ArrayLike<number>): Float64Array {
  const k = edges.length - 1;
  const counts = new Float64Array(k);
  let previous = searchSorted(sorted, edges[0], 'left');
  for (let i = 0; i < k; i++) {
    const next = searchSorted(sorted, edges[i + 1], i + 1 === k ? 'right' : 'left');
    counts[i] = next - previous;
    previous = next;
  }
  return counts;
}
