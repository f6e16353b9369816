/**
 * Histogram kernels, free of imports so the worker thread loads them alone. A histogram holds, per
 * feature, numBins + 1 slots (the last one is the missing-value bin) of `stride` float64s
 * (stride 1: one packed quantized pair, see packed16):
 * [gradient sum, hessian sum] or, when min_data_in_leaf is used, [gradient, hessian, count].
 *
 * Bins are row-major (row r's F bins are contiguous), the layout XGBoost's hist method uses for
 * dense data: one pass over a node's rows touches each row's bins and gradient pair once.
 */

/**
 * Row-major bins. `narrow` holds each feature's local bin (one byte; plus `offsets[f]` gives the
 * histogram slot); `wide`, when the histogram has < 65536 slots, holds the slot itself. Scanning all
 * rows in order, the wide layout saves an offset lookup per update; on a node's scattered rows the
 * narrow one wins (28 instead of 56 bytes per row: fewer cache lines per row).
 */
export interface RowBins {
  narrow: Uint8Array;
  offsets: Int32Array;
  wide: Uint16Array | null;
}

/**
 * Adds rows[start..end) (or rows start..end when `rows` is null) into hist starting at histBase.
 * gh holds [g0, h0, g1, h1, ...]; packed the quantized pairs (stride 1). Each layout and stride has
 * its own copy of the loop so each stays monomorphic for the JIT; feature loops are unrolled by four.
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
  const wide = rows === null ? bins.wide : null;
  if (stride === 1) {
    if (wide !== null) packed16(wide, numFeatures, packed!, rows, start, end, hist, histBase);
    else packed8(bins.narrow, bins.offsets, numFeatures, packed!, rows, start, end, hist, histBase);
  } else if (stride === 2) {
    if (wide !== null) build16(wide, numFeatures, gh, rows, start, end, hist, histBase);
    else build8(bins.narrow, bins.offsets, numFeatures, gh, rows, start, end, hist, histBase);
  } else {
    buildWithCounts(bins.narrow, bins.offsets, numFeatures, gh, rows, start, end, hist, histBase);
  }
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

function build8(bins: Uint8Array, off: Int32Array, F: number, gh: Float32Array, rows: Int32Array | null, start: number, end: number, hist: Float64Array, hb: number): void {
  const F4 = F & ~3;
  for (let i = start; i < end; i++) {
    const r = rows === null ? i : rows[i];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const p = r * F;
    let f = 0;
    for (; f < F4; f += 4) {
      const o0 = hb + ((off[f] + bins[p + f]) << 1);
      const o1 = hb + ((off[f + 1] + bins[p + f + 1]) << 1);
      const o2 = hb + ((off[f + 2] + bins[p + f + 2]) << 1);
      const o3 = hb + ((off[f + 3] + bins[p + f + 3]) << 1);
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
      const o = hb + ((off[f] + bins[p + f]) << 1);
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

function packed8(bins: Uint8Array, off: Int32Array, F: number, packed: Float64Array, rows: Int32Array | null, start: number, end: number, hist: Float64Array, hb: number): void {
  const F4 = F & ~3;
  for (let i = start; i < end; i++) {
    const r = rows === null ? i : rows[i];
    const v = packed[r];
    const p = r * F;
    let f = 0;
    for (; f < F4; f += 4) {
      hist[hb + off[f] + bins[p + f]] += v;
      hist[hb + off[f + 1] + bins[p + f + 1]] += v;
      hist[hb + off[f + 2] + bins[p + f + 2]] += v;
      hist[hb + off[f + 3] + bins[p + f + 3]] += v;
    }
    for (; f < F; f++) hist[hb + off[f] + bins[p + f]] += v;
  }
}

/**
 * Packs rows' gradient pairs as gq * 2^shift + hq with gq = round(g * gScale), hq = round(h * hScale),
 * rounding stochastically (unbiased: E[q] = x). The random numbers are a hash of (seed, row), so the
 * result does not depend on how rows are split between threads.
 */
export function quantizeRange(gh: Float32Array, packed: Float64Array, rows: Int32Array | null, start: number, end: number, gScale: number, hScale: number, shift: number, seed: number): void {
  const mul = 2 ** shift;
  for (let i = start; i < end; i++) {
    const r = rows === null ? i : rows[i];
    let a = Math.imul(r ^ seed, 0x9e3779b1);
    a ^= a >>> 16;
    a = Math.imul(a, 0x85ebca6b);
    a ^= a >>> 13;
    let b = Math.imul(a ^ 0x27d4eb2f, 0xc2b2ae35);
    b ^= b >>> 16;
    a = Math.imul(a, 0x7feb352d);
    a ^= a >>> 15;
    const u1 = (a >>> 0) / 4294967296;
    const u2 = (b >>> 0) / 4294967296;
    packed[r] = Math.floor(gh[2 * r] * gScale + u1) * mul + Math.floor(gh[2 * r + 1] * hScale + u2);
  }
}

function buildWithCounts(bins: Uint8Array, off: Int32Array, F: number, gh: Float32Array, rows: Int32Array | null, start: number, end: number, hist: Float64Array, hb: number): void {
  for (let i = start; i < end; i++) {
    const r = rows === null ? i : rows[i];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const p = r * F;
    for (let f = 0; f < F; f++) {
      const o = hb + (off[f] + bins[p + f]) * 3;
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

/**
 * Dynamic scheduling of a histogram batch: both threads claim fixed-size row chunks of the tasks
 * from a shared counter and add them into their own buffer for that task (the caller's own
 * histograms or the worker's scratch slots). Only used for quantized histograms, whose integer sums
 * do not depend on which thread added which chunk. `taskRange(t)` gives [start, end).
 */
export function buildClaimedChunks(
  ctrl: Int32Array,
  numTasks: number,
  chunk: number,
  taskStart: (t: number) => number,
  taskEnd: (t: number) => number,
  run: (t: number, start: number, end: number) => void,
): void {
  for (;;) {
    let k = Atomics.add(ctrl, CTRL_NEXT, 1);
    let t = 0;
    for (; t < numTasks; t++) {
      const chunks = Math.ceil((taskEnd(t) - taskStart(t)) / chunk);
      if (k < chunks) break;
      k -= chunks;
    }
    if (t === numTasks) return;
    const start = taskStart(t) + k * chunk;
    run(t, start, Math.min(taskEnd(t), start + chunk));
  }
}

/** The shared control block between the main thread and the worker (see hist-builder.ts). */
export const CTRL_SEQ = 0;
export const CTRL_DONE = 1;
export const CTRL_NTASKS = 2;
export const CTRL_KIND = 3;
export const CTRL_ALL_ROWS = 4;
export const CTRL_ARG0 = 5;
export const CTRL_ARG1 = 6;
/** 0 = worker not started yet, 1 = running, -1 = it failed (error text in its stderr). */
export const CTRL_ALIVE = 7;
/** Next unclaimed chunk (dynamic histogram scheduling). */
export const CTRL_NEXT = 8;
export const CTRL_TASKS = 10;
export const TASK_INTS = 6;

export const KIND_HIST = 0;
export const KIND_PARTITION = 1;
export const KIND_LOGISTIC = 2;
export const KIND_SQUARED = 3;
export const KIND_ADD_LEAVES = 4;
export const KIND_QUANTIZE = 5;
