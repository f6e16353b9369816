/**
 * Quantile binning. For each feature we choose float32 thresholds t_0 < t_1 < ... (at most
 * max_bin - 1 of them) and define bin(x) = number of thresholds <= x, so that
 *   bin(x) <= b  <=>  Math.fround(x) < t_b,
 * i.e. a split "bin <= b" at training time is exactly the node test `x < t_b` at prediction time.
 * Missing values (NaN) get bin numBins[f] (one past the value bins) and a learned direction.
 *
 * Thresholds are the smallest value of the next bin (a value present in the data), found with the
 * greedy equal-count scheme LightGBM uses over the exact sorted values: every distinct value gets a
 * bin when there are at most max_bin of them; otherwise bins hold about equal row counts, never
 * splitting a distinct value. Above `sampleRows` rows the thresholds come from an exact sort of a
 * deterministic random sample of rows (every row is still binned), which keeps binning O(N log S).
 */

export interface BinMapper {
  /** Per feature, the ascending float32 thresholds (length numBins[f] - 1). */
  readonly thresholds: Float32Array[];
  /** Value bins per feature (>= 1); the missing bin of feature f is numBins[f]. */
  readonly numBins: Int32Array;
  /** Offset of feature f's first bin in a histogram (each feature has numBins[f] + 1 slots). */
  readonly offsets: Int32Array;
  readonly totalBins: number;
}

/** Thresholds for one column from its (possibly sampled) non-missing values, sorted ascending. */
export function thresholdsFromSorted(sorted: Float32Array, maxBin: number): Float32Array {
  const n = sorted.length;
  if (n === 0) return new Float32Array(0);
  // distinct values and their counts
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = sorted[i];
    if (distinct.length > 0 && distinct[distinct.length - 1] === v) counts[counts.length - 1]++;
    else {
      distinct.push(v);
      counts.push(1);
    }
  }
  const d = distinct.length;
  if (d <= maxBin) return Float32Array.from(distinct.slice(1));
  const cuts: number[] = [];
  let remainingRows = n;
  let remainingBins = maxBin;
  let acc = 0;
  let target = remainingRows / remainingBins;
  for (let i = 0; i < d - 1; i++) {
    acc += counts[i];
    // cut before value i+1 when this bin is full enough, or when the rest of the values exactly fill the rest of the bins
    const restDistinct = d - 1 - i;
    if (acc >= target || restDistinct <= remainingBins - 1) {
      cuts.push(distinct[i + 1]);
      remainingRows -= acc;
      remainingBins--;
      acc = 0;
      if (remainingBins <= 1) break;
      target = remainingRows / remainingBins;
    }
  }
  return Float32Array.from(cuts);
}

/** Bin of a float32 value given a feature's thresholds (binary search; NaN -> missing bin). */
export function binOf(x: number, thresholds: Float32Array): number {
  if (x !== x) return thresholds.length + 1;
  let lo = 0;
  let hi = thresholds.length; // answer in [0, len]: count of thresholds <= x
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (thresholds[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function createBinMapper(thresholds: Float32Array[]): BinMapper {
  const F = thresholds.length;
  const numBins = new Int32Array(F);
  const offsets = new Int32Array(F + 1);
  for (let f = 0; f < F; f++) {
    numBins[f] = thresholds[f].length + 1;
    offsets[f + 1] = offsets[f] + numBins[f] + 1;
  }
  return { thresholds, numBins, offsets: offsets.subarray(0, F), totalBins: offsets[F] };
}

/** Thresholds for every column from the rows in `sample` (or all rows). */
export function computeThresholds(columns: Float32Array[], maxBin: number, sample?: Int32Array): Float32Array[] {
  return columns.map((col) => {
    const m = sample ? sample.length : col.length;
    const buf = new Float32Array(m);
    let k = 0;
    for (let i = 0; i < m; i++) {
      const v = col[sample ? sample[i] : i];
      // infinities never become thresholds (JSON cannot hold them); they land in the end bins
      if (v === v && v !== Infinity && v !== -Infinity) buf[k++] = v;
    }
    const vals = buf.subarray(0, k).sort();
    return thresholdsFromSorted(vals, maxBin);
  });
}

const GRID_CELLS = 4096;

/**
 * Writes the value bins of features [f0, f1) into the column-major matrix `colBins`
 * (colBins[f * numRows + r]). A grid over the threshold range gives each value a starting bin
 * (exact: a threshold in an earlier cell is below the value, since the cell map is monotonic), and a
 * short scan or a binary search inside the cell finishes the job.
 */
export function binColumns(
  columns: Float32Array[],
  mapper: BinMapper,
  colBins: Uint8Array,
  f0: number,
  f1: number,
): void {
  const cellStart = new Int32Array(GRID_CELLS + 1);
  for (let f = f0; f < f1; f++) {
    const col = columns[f];
    const N = col.length;
    const out = colBins.subarray(f * N, (f + 1) * N);
    const th = mapper.thresholds[f];
    const nt = th.length;
    const missing = nt + 1;
    if (nt === 0) {
      for (let r = 0; r < N; r++) out[r] = col[r] !== col[r] ? missing : 0;
      continue;
    }
    const lo = th[0];
    const span = th[nt - 1] - lo;
    const scale = span > 0 && Number.isFinite(span) ? (GRID_CELLS - 1) / span : 0;
    const cellOf = (x: number): number => {
      const c = Math.floor((x - lo) * scale);
      return c < 0 ? 0 : c >= GRID_CELLS ? GRID_CELLS - 1 : c;
    };
    // cellStart[c] = number of thresholds whose cell is before c
    cellStart.fill(0);
    for (let b = 0; b < nt; b++) cellStart[cellOf(th[b]) + 1]++;
    for (let c = 1; c <= GRID_CELLS; c++) cellStart[c] += cellStart[c - 1];
    for (let r = 0; r < N; r++) {
      const x = col[r];
      if (x !== x) {
        out[r] = missing;
        continue;
      }
      const c = x < lo ? 0 : cellOf(x);
      let b = cellStart[c];
      let hi = cellStart[c + 1];
      if (hi - b <= 8) {
        while (b < hi && th[b] <= x) b++;
      } else {
        while (b < hi) {
          const mid = (b + hi) >>> 1;
          if (th[mid] <= x) b = mid + 1;
          else hi = mid;
        }
      }
      out[r] = b;
    }
  }
}

/**
 * Row-major bins for the histogram kernel: local bins (Uint8Array) or histogram slots
 * (offsets[f] + bin, Uint16Array) when `withOffsets`.
 */
export function rowMajorBins(
  colBins: Uint8Array,
  numRows: number,
  mapper: BinMapper,
  out: Uint8Array | Uint16Array,
  withOffsets = out instanceof Uint16Array,
): void {
  const F = mapper.numBins.length;
  for (let f = 0; f < F; f++) {
    const off = withOffsets ? mapper.offsets[f] : 0;
    const col = colBins.subarray(f * numRows, (f + 1) * numRows);
    for (let r = 0, i = f; r < numRows; r++, i += F) out[i] = off + col[r];
  }
}
