/**
 * Histogram kernels, free of imports so the worker thread loads them alone. A histogram holds, per
 * feature, numBins + 1 slots (the last one is the missing-value bin) of `stride` float64s
 * (stride 1: one packed quantized pair, see packed16):
 * [gradient sum, hessian sum] or, when min_data_in_leaf is used, [gradient, hessian, count].
 *
 * Bins are row-major (row r's F bins are contiguous), the layout XGBoost's hist method uses for
 * dense data: one pass over a node's rows touches each row's bins and gradient pair once. Each bin
 * is stored already offset by its feature's first histogram slot, saving a lookup per update.
 */

/** Row-major global bin indices (offsets[f] + bin): Uint16 while the histogram has < 65536 slots. */
export type RowBins = Uint16Array | Int32Array;

/**
 * Adds rows[start..end) (or rows start..end when `rows` is null) into hist starting at histBase.
 * gh holds [g0, h0, g1, h1, ...]. The two element types get separate copies of the loop so each
 * stays monomorphic for the JIT; the feature loop is unrolled by four.
 */
export function buildHistogram(
  bins: RowBins,
  numFeatures: number,
  gh: Float32Array,
  packed: Float64Array | null,
  rows: Int32Array | null,
  start: number,
  end: number,
  hist: Float64Array,
  histBase: number,
  stride: number,
): void {
  if (stride === 1) {
    if (bins instanceof Uint16Array) packed16(bins, numFeatures, packed!, rows, start, end, hist, histBase);
    else packed32(bins, numFeatures, packed!, rows, start, end, hist, histBase);
  } else if (stride !== 2) buildWithCounts(bins, numFeatures, gh, rows, start, end, hist, histBase);
  else if (bins instanceof Uint16Array) build16(bins, numFeatures, gh, rows, start, end, hist, histBase);
  else build32(bins, numFeatures, gh, rows, start, end, hist, histBase);
}

function build16(bins: Uint16Array, F: number, gh: Float32Array, rows: Int32Array | null, start: number, end: number, hist: Float64Array, hb: number): void {
  const F4 = F & ~3;
  for (let i = start; i < end; i++) {
    const r = rows === null ? i : rows[i];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const p = r * F;
    let f = 0;
    for (; f < F4; f += 4) {
      const o0 = hb + (bins[p + f] << 1);
      const o1 = hb + (bins[p + f + 1] << 1);
      const o2 = hb + (bins[p + f + 2] << 1);
      const o3 = hb + (bins[p + f + 3] << 1);
      hist[o0] += g;
      hist[o0 + 1] += h;
      hist[o1] += g;
      hist[o1 + 1] += h;
      hist[o2] += g;
      hist[o2 + 1] += h;
      hist[o3] += g;
      hist[o3 + 1] += h;
    }
    for (; f < F; f++) {
      const o = hb + (bins[p + f] << 1);
      hist[o] += g;
      hist[o + 1] += h;
    }
  }
}

function build32(bins: Int32Array, F: number, gh: Float32Array, rows: Int32Array | null, start: number, end: number, hist: Float64Array, hb: number): void {
  const F4 = F & ~3;
  for (let i = start; i < end; i++) {
    const r = rows === null ? i : rows[i];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const p = r * F;
    let f = 0;
    for (; f < F4; f += 4) {
      const o0 = hb + (bins[p + f] << 1);
      const o1 = hb + (bins[p + f + 1] << 1);
      const o2 = hb + (bins[p + f + 2] << 1);
      const o3 = hb + (bins[p + f + 3] << 1);
      hist[o0] += g;
      hist[o0 + 1] += h;
      hist[o1] += g;
      hist[o1 + 1] += h;
      hist[o2] += g;
      hist[o2 + 1] += h;
      hist[o3] += g;
      hist[o3 + 1] += h;
    }
    for (; f < F; f++) {
      const o = hb + (bins[p + f] << 1);
      hist[o] += g;
      hist[o + 1] += h;
    }
  }
}

/**
 * Quantized-gradient histograms (stride 1): each row's gradient pair is one float64 holding the
 * integer gq * 2^shift + hq, so one exact integer add per update accumulates both sums.
 */
function packed16(bins: Uint16Array, F: number, packed: Float64Array, rows: Int32Array | null, start: number, end: number, hist: Float64Array, hb: number): void {
  const F4 = F & ~3;
  for (let i = start; i < end; i++) {
    const r = rows === null ? i : rows[i];
    const v = packed[r];
    const p = r * F;
    let f = 0;
    for (; f < F4; f += 4) {
      hist[hb + bins[p + f]] += v;
      hist[hb + bins[p + f + 1]] += v;
      hist[hb + bins[p + f + 2]] += v;
      hist[hb + bins[p + f + 3]] += v;
    }
    for (; f < F; f++) hist[hb + bins[p + f]] += v;
  }
}

function packed32(bins: Int32Array, F: number, packed: Float64Array, rows: Int32Array | null, start: number, end: number, hist: Float64Array, hb: number): void {
  const F4 = F & ~3;
  for (let i = start; i < end; i++) {
    const r = rows === null ? i : rows[i];
    const v = packed[r];
    const p = r * F;
    let f = 0;
    for (; f < F4; f += 4) {
      hist[hb + bins[p + f]] += v;
      hist[hb + bins[p + f + 1]] += v;
      hist[hb + bins[p + f + 2]] += v;
      hist[hb + bins[p + f + 3]] += v;
    }
    for (; f < F; f++) hist[hb + bins[p + f]] += v;
  }
}

/**
 * Packs rows' gradient pairs as gq * 2^shift + hq with gq = round(g * gScale), hq = round(h * hScale),
 * rounding stochastically (unbiased: E[q] = x) with an inline xorshift seeded by `seed`.
 */
export function quantizeRange(gh: Float32Array, packed: Float64Array, rows: Int32Array | null, start: number, end: number, gScale: number, hScale: number, shift: number, seed: number): void {
  const mul = 2 ** shift;
  let s = seed | 0 || 1;
  for (let i = start; i < end; i++) {
    const r = rows === null ? i : rows[i];
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const u1 = (s >>> 0) / 4294967296;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const u2 = (s >>> 0) / 4294967296;
    packed[r] = Math.floor(gh[2 * r] * gScale + u1) * mul + Math.floor(gh[2 * r + 1] * hScale + u2);
  }
}

function buildWithCounts(bins: RowBins, F: number, gh: Float32Array, rows: Int32Array | null, start: number, end: number, hist: Float64Array, hb: number): void {
  for (let i = start; i < end; i++) {
    const r = rows === null ? i : rows[i];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const p = r * F;
    for (let f = 0; f < F; f++) {
      const o = hb + bins[p + f] * 3;
      hist[o] += g;
      hist[o + 1] += h;
      hist[o + 2] += 1;
    }
  }
}

/**
 * Stable partition of rows[start..end) by a split: left rows are compacted in place from `start`,
 * right rows are written to temp[start..). Returns the number of left rows. colBins is column-major.
 */
export function partitionRange(
  rows: Int32Array,
  temp: Int32Array,
  colBins: Uint8Array,
  numRows: number,
  start: number,
  end: number,
  feature: number,
  bin: number,
  defaultLeft: boolean,
  missingBin: number,
): number {
  const base = feature * numRows;
  let l = start;
  let t = start;
  for (let i = start; i < end; i++) {
    const r = rows[i];
    const b = colBins[base + r];
    if (b === missingBin ? defaultLeft : b <= bin) rows[l++] = r;
    else temp[t++] = r;
  }
  return l - start;
}

/** binary:logistic gradients of rows [start, end) (single output). */
export function logisticRange(margin: Float64Array, label: Float64Array, weight: Float64Array | null, gh: Float32Array, start: number, end: number): void {
  for (let r = start; r < end; r++) {
    const p = 1 / (1 + Math.exp(-margin[r]));
    const w = weight === null ? 1 : weight[r];
    gh[2 * r] = (p - label[r]) * w;
    const h = p * (1 - p);
    gh[2 * r + 1] = (h > 1e-16 ? h : 1e-16) * w;
  }
}

/** reg:squarederror gradients of rows [start, end). */
export function squaredRange(margin: Float64Array, label: Float64Array, weight: Float64Array | null, gh: Float32Array, start: number, end: number): void {
  for (let r = start; r < end; r++) {
    const w = weight === null ? 1 : weight[r];
    gh[2 * r] = (margin[r] - label[r]) * w;
    gh[2 * r + 1] = w;
  }
}

/** margin[rows[i] * K + k] += value for i in [start, end): one leaf's rows. */
export function addLeafRange(margin: Float64Array, rows: Int32Array, K: number, k: number, value: number, start: number, end: number): void {
  if (K === 1) for (let i = start; i < end; i++) margin[rows[i]] += value;
  else for (let i = start; i < end; i++) margin[rows[i] * K + k] += value;
}

/** The shared control block between the main thread and the worker (see hist-builder.ts). */
export const CTRL_SEQ = 0;
export const CTRL_DONE = 1;
export const CTRL_NTASKS = 2;
export const CTRL_KIND = 3;
export const CTRL_ALL_ROWS = 4;
export const CTRL_ARG0 = 5;
export const CTRL_ARG1 = 6;
export const CTRL_TASKS = 8;
export const TASK_INTS = 6;

export const KIND_HIST = 0;
export const KIND_PARTITION = 1;
export const KIND_LOGISTIC = 2;
export const KIND_SQUARED = 3;
export const KIND_ADD_LEAVES = 4;
export const KIND_QUANTIZE = 5;
