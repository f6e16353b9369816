/**
 * Training kernels, free of imports so the worker thread loads them alone.
 *
 * Rows live in "positions": a position-major bin matrix (position i's F bins at i * rowStride) with
 * `perm[i]` = the original row at position i
 * and `pay` = the row's gradient payload for the current tree. Every tree node owns a contiguous
 * range of positions; splitting a node moves its rows (bins, row index, payload) stably into the
 * same range of the other of two buffers, left rows first. So a node's histogram is always a
 * sequential scan, never a gather over scattered rows (3-4x cheaper at 800k rows).
 *
 * Row layout: groups of 8 bytes holding 7 features' bins and a zero byte, so a row moves as whole
 * float64 words (4 moves for 28 features instead of 28 byte or 7 int32 moves) and no word is ever a
 * NaN (its top byte is 0), which keeps the copies bit-exact. `binCol[f]` is feature f's byte.
 *
 * A histogram holds, per feature, numBins + 1 slots (the last one is the missing-value bin) of
 * `stride` float64s: 1 = a packed quantized pair (see gatherRange), 2 = [g, h], 3 = [g, h, count].
 * Payload words per position: 1 (packed) for stride 1, else 2 ([g, h] as float64).
 */

/** Rows per block of the feature-blocked histogram loop (keeps a block's slots in L1). */
const HIST_BLOCK_ROWS = 2048;

/**
 * Adds positions [start, end) into hist starting at histBase. Each stride has its own loop so each
 * stays monomorphic for the JIT.
 */
export function histogramRange(
  bins: Uint8Array,
  rowStride: number,
  binCol: Int32Array,
  offsets: Int32Array,
  numFeatures: number,
  pay: Float64Array,
  stride: number,
  start: number,
  end: number,
  hist: Float64Array,
  histBase: number,
): void {
  if (stride === 1) packedHist(bins, rowStride, binCol, offsets, numFeatures, pay, start, end, hist, histBase);
  else if (stride === 2) pairHist(bins, rowStride, binCol, offsets, numFeatures, pay, start, end, hist, histBase);
  else countHist(bins, rowStride, binCol, offsets, numFeatures, pay, start, end, hist, histBase);
}

/**
 * Quantized pairs: one exact integer add per update. Loops over blocks of rows, and within a block
 * over groups of four features, so the slots being updated (4 x 256 float64) stay in L1.
 */
function packedHist(
  bins: Uint8Array,
  S: number,
  col: Int32Array,
  off: Int32Array,
  F: number,
  pay: Float64Array,
  start: number,
  end: number,
  hist: Float64Array,
  hb: number,
): void {
  for (let c = start; c < end; c += HIST_BLOCK_ROWS) {
    const e = Math.min(end, c + HIST_BLOCK_ROWS);
    let f = 0;
    for (; f + 4 <= F; f += 4) {
      const o0 = hb + off[f];
      const o1 = hb + off[f + 1];
      const o2 = hb + off[f + 2];
      const o3 = hb + off[f + 3];
      const c0 = col[f];
      const c1 = col[f + 1];
      const c2 = col[f + 2];
      const c3 = col[f + 3];
      for (let i = c, p = c * S; i < e; i++, p += S) {
        const v = pay[i];
        hist[o0 + bins[p + c0]] += v;
        hist[o1 + bins[p + c1]] += v;
        hist[o2 + bins[p + c2]] += v;
        hist[o3 + bins[p + c3]] += v;
      }
    }
    for (; f < F; f++) {
      const o = hb + off[f];
      for (let i = c, p = c * S + col[f]; i < e; i++, p += S) hist[o + bins[p]] += pay[i];
    }
  }
}

function pairHist(
  bins: Uint8Array,
  S: number,
  col: Int32Array,
  off: Int32Array,
  F: number,
  pay: Float64Array,
  start: number,
  end: number,
  hist: Float64Array,
  hb: number,
): void {
  for (let i = start; i < end; i++) {
    const g = pay[2 * i];
    const h = pay[2 * i + 1];
    const p = i * S;
    for (let f = 0; f < F; f++) {
      const o = hb + ((off[f] + bins[p + col[f]]) << 1);
      hist[o] += g;
      hist[o + 1] += h;
    }
  }
}

function countHist(
  bins: Uint8Array,
  S: number,
  col: Int32Array,
  off: Int32Array,
  F: number,
  pay: Float64Array,
  start: number,
  end: number,
  hist: Float64Array,
  hb: number,
): void {
  for (let i = start; i < end; i++) {
    const g = pay[2 * i];
    const h = pay[2 * i + 1];
    const p = i * S;
    for (let f = 0; f < F; f++) {
      const o = hb + (off[f] + bins[p + col[f]]) * 3;
      hist[o] += g;
      hist[o + 1] += h;
      hist[o + 2] += 1;
    }
  }
}

/**
 * The tree's gradient payload of positions [start, end). stride 1: the pair of row r = perm[i]
 * packed as gq * 2^shift + hq with gq = round(g * gScale), hq = round(h * hScale), rounding
 * stochastically (unbiased: E[q] = x) with random numbers hashed from (seed, r), so the result does
 * not depend on the row's position or on how positions are split between threads. Otherwise [g, h].
 */
export function gatherRange(
  perm: Int32Array,
  gh: Float32Array,
  pay: Float64Array,
  stride: number,
  start: number,
  end: number,
  gScale: number,
  hScale: number,
  shift: number,
  seed: number,
): void {
  if (stride !== 1) {
    for (let i = start; i < end; i++) {
      const r = perm[i];
      pay[2 * i] = gh[2 * r];
      pay[2 * i + 1] = gh[2 * r + 1];
    }
    return;
  }
  const mul = 2 ** shift;
  for (let i = start; i < end; i++) {
    const r = perm[i];
    pay[i] = quantizePair(gh[2 * r], gh[2 * r + 1], r, gScale, hScale, mul, seed);
  }
}

export function quantizePair(
  g: number,
  h: number,
  r: number,
  gScale: number,
  hScale: number,
  mul: number,
  seed: number,
): number {
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
  return Math.floor(g * gScale + u1) * mul + Math.floor(h * hScale + u2);
}

/** Position buffer rows (= positions) [r0, r1) in order from column-major bins (perm = identity). */
export function fillPositionRange(
  bins: Uint8Array,
  perm: Int32Array,
  colBins: Uint8Array,
  numRows: number,
  numFeatures: number,
  rowStride: number,
  binCol: Int32Array,
  r0: number,
  r1: number,
): void {
  for (let f = 0; f < numFeatures; f++) {
    const base = f * numRows;
    for (let r = r0, i = r0 * rowStride + binCol[f]; r < r1; r++, i += rowStride) bins[i] = colBins[base + r];
  }
  for (let r = r0; r < r1; r++) perm[r] = r;
}

/** One side of the two position buffers, as the move kernels see it. */
export interface PosBuffer {
  bins: Uint8Array;
  /** The same memory as `bins`, 8 bytes a word (rowStride / 8 words per position). */
  words: Float64Array;
  perm: Int32Array;
  pay: Float64Array;
}

/**
 * Moves positions [start, end) of `src` into `dst` by a split: left rows in order to leftAt,
 * leftAt + 1, ..., right rows in reverse order to rightAt, rightAt - 1, ... So moving a range into
 * the same range (leftAt = start, rightAt = end - 1) needs no count of the left rows first.
 * Returns the next left position. `byte` is the split feature's byte in a row; `payWords` payload
 * words move along (0 when no histogram will be built from the children).
 */
export function moveRange(
  src: PosBuffer,
  dst: PosBuffer,
  S: number,
  payWords: number,
  start: number,
  end: number,
  byte: number,
  bin: number,
  defaultLeft: boolean,
  missingBin: number,
  leftAt: number,
  rightAt: number,
): number {
  const sb = src.bins;
  const sw = src.words;
  const dw = dst.words;
  const sp = src.perm;
  const dp = dst.perm;
  const spay = src.pay;
  const dpay = dst.pay;
  const W = S >> 3;
  const dl = defaultLeft ? 1 : 0;
  let l = leftAt;
  let r = rightAt;
  for (let i = start; i < end; i++) {
    const b = sb[i * S + byte];
    // arithmetic rather than a branch: the side of a row is unpredictable
    const isLeft = b === missingBin ? dl : ((bin - b) >>> 31) ^ 1;
    const d = isLeft * l + (1 - isLeft) * r;
    l += isLeft;
    r -= 1 - isLeft;
    dp[d] = sp[i];
    const s = i * W;
    const t = d * W;
    if (W === 4) {
      dw[t] = sw[s];
      dw[t + 1] = sw[s + 1];
      dw[t + 2] = sw[s + 2];
      dw[t + 3] = sw[s + 3];
    } else {
      for (let j = 0; j < W; j++) dw[t + j] = sw[s + j];
    }
    if (payWords === 1) dpay[d] = spay[i];
    else if (payWords === 2) {
      dpay[2 * d] = spay[2 * i];
      dpay[2 * d + 1] = spay[2 * i + 1];
    }
  }
  return l;
}

/** Moves positions [0, n) of `src` whose row is flagged to the front of `dst`, the rest after them (both in order); returns the flagged count. */
export function moveFlagged(src: PosBuffer, dst: PosBuffer, S: number, n: number, flag: Uint8Array): number {
  let kept = 0;
  for (let i = 0; i < n; i++) if (flag[src.perm[i]] !== 0) kept++;
  const W = S >> 3;
  let l = 0;
  let r = kept;
  for (let i = 0; i < n; i++) {
    const row = src.perm[i];
    const d = flag[row] !== 0 ? l++ : r++;
    dst.perm[d] = row;
    for (let j = 0; j < W; j++) dst.words[d * W + j] = src.words[i * W + j];
  }
  return kept;
}

/**
 * binary:logistic gradients of rows [start, end) (single output); the largest |g| and h written
 * (as float32) go to maxOut[at], maxOut[at + 1] — the quantization scale, found in the same pass.
 */
export function logisticRange(
  margin: Float64Array,
  label: Float64Array,
  weight: Float64Array | null,
  gh: Float32Array,
  start: number,
  end: number,
  maxOut: Float64Array,
  at: number,
): void {
  let gmax = 0;
  let hmax = 0;
  for (let r = start; r < end; r++) {
    const p = 1 / (1 + Math.exp(-margin[r]));
    const w = weight === null ? 1 : weight[r];
    const g = Math.fround((p - label[r]) * w);
    const h0 = p * (1 - p);
    const h = Math.fround((h0 > 1e-16 ? h0 : 1e-16) * w);
    gh[2 * r] = g;
    gh[2 * r + 1] = h;
    const ga = Math.abs(g);
    if (ga > gmax) gmax = ga;
    if (h > hmax) hmax = h;
  }
  maxOut[at] = gmax;
  maxOut[at + 1] = hmax;
}

/** reg:squarederror gradients of rows [start, end), with the maxima as logisticRange. */
export function squaredRange(
  margin: Float64Array,
  label: Float64Array,
  weight: Float64Array | null,
  gh: Float32Array,
  start: number,
  end: number,
  maxOut: Float64Array,
  at: number,
): void {
  let gmax = 0;
  let hmax = 0;
  for (let r = start; r < end; r++) {
    const w = weight === null ? 1 : weight[r];
    const g = Math.fround((margin[r] - label[r]) * w);
    const h = Math.fround(w);
    gh[2 * r] = g;
    gh[2 * r + 1] = h;
    const ga = Math.abs(g);
    if (ga > gmax) gmax = ga;
    if (h > hmax) hmax = h;
  }
  maxOut[at] = gmax;
  maxOut[at + 1] = hmax;
}

/**
 * One leaf's (or one routed split's) margin update over positions [start, end): margin[perm[i] * K
 * + k] += value. Plain leaf (!sided): every row gets vL. Routed split (the rows of a last-level split
 * are never moved into their leaves): rows with side[i] = 1 (left, as splitSumsRange recorded)
 * get vL, the others vR. (Fusing the next round's gradients into this pass was slower: it turns
 * their sequential pass into three scattered streams.)
 */
export function leafUpdateRange(
  margin: Float64Array,
  perm: Int32Array,
  side: Uint8Array,
  sided: boolean,
  vL: number,
  vR: number,
  K: number,
  k: number,
  start: number,
  end: number,
): void {
  if (!sided) {
    if (K === 1) for (let i = start; i < end; i++) margin[perm[i]] += vL;
    else for (let i = start; i < end; i++) margin[perm[i] * K + k] += vL;
    return;
  }
  // the side of a row is unpredictable: pick its value by index, not by a branch
  const vals = new Float64Array(2);
  vals[0] = vR;
  vals[1] = vL;
  if (K === 1) for (let i = start; i < end; i++) margin[perm[i]] += vals[side[i]];
  else for (let i = start; i < end; i++) margin[perm[i] * K + k] += vals[side[i]];
}

/**
 * Exact gradient sums of each side of a split over positions [start, end) into out[at..at+3]
 * ([gL, hL, gR, hR], added in position order; arithmetic, not a branch: adding g * 0 leaves a float
 * sum unchanged). Records each position's side in side[i] (1 = left) for leafUpdateRange, which then
 * reads one byte per row instead of a 32-byte row of bins.
 */
export function splitSumsRange(
  perm: Int32Array,
  bins: Uint8Array,
  S: number,
  byte: number,
  bin: number,
  defaultLeft: boolean,
  missingBin: number,
  gh: Float32Array,
  start: number,
  end: number,
  out: Float64Array,
  at: number,
  side: Uint8Array,
): void {
  const dl = defaultLeft ? 1 : 0;
  let gL = 0;
  let hL = 0;
  let gR = 0;
  let hR = 0;
  for (let i = start, p = start * S + byte; i < end; i++, p += S) {
    const r = perm[i];
    const b = bins[p];
    const isLeft = b === missingBin ? dl : ((bin - b) >>> 31) ^ 1;
    side[i] = isLeft;
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const notLeft = 1 - isLeft;
    gL += g * isLeft;
    hL += h * isLeft;
    gR += g * notLeft;
    hR += h * notLeft;
  }
  out[at] = gL;
  out[at + 1] = hL;
  out[at + 2] = gR;
  out[at + 3] = hR;
}
