/** What the single-thread and two-thread training operations share: kernel choice, leaf updates, halves. */
import type { GatherQuantization, LeafTask, OpsContext, PartitionTask } from './training-ops.types';
import {
  gatherRangeWith,
  histogramRangeWith,
  instantiateKernels,
  leafUpdateRangeWith,
  moveRangeWith,
  splitSumsRangeWith,
  type WasmKernels,
} from './wasm/wasm-kernels';

/** Below this many rows a piece of work stays on one thread (the hand-off costs more). */
const MIN_ROWS_TO_SPLIT = 4096;

/** Where the calling thread's half of [start, end) stops (the worker takes [mid, end)). */
export function halfOf(start: number, end: number): number {
  return end - start < MIN_ROWS_TO_SPLIT ? end : start + ((end - start) >> 1);
}

/** Kernels for a context's memory when its position buffers, gradients and margins live there. */
export function kernelsFor(ctx: OpsContext): WasmKernels | null {
  const m = ctx.memory;
  if (!m) return null;
  const inMemory =
    ctx.pos.every((p) => m.owns(p.bins) && m.owns(p.perm) && m.owns(p.pay)) && m.owns(ctx.gh) && m.owns(ctx.margin);
  return inMemory ? instantiateKernels(m.memory) : null;
}

/** A histogram buffer: in the kernel memory when the context has one. */
export function newHist(ctx: OpsContext): Float64Array {
  return ctx.memory ? ctx.memory.float64(ctx.histSize) : new Float64Array(ctx.histSize);
}

/** The kernels for a histogram target: null (JavaScript) when it is not a view on their memory. */
export function kernelsForHist(ctx: OpsContext, k: WasmKernels | null, hist: Float64Array): WasmKernels | null {
  return k !== null && ctx.memory!.owns(hist) ? k : null;
}

/** One leaf's margin update over positions [start, end) (a routed split's rows by their recorded side). */
export function leafRange(
  kern: WasmKernels | null,
  c: OpsContext,
  side: Uint8Array,
  l: LeafTask,
  K: number,
  k: number,
  start: number,
  end: number,
): void {
  const sp = l.split;
  leafUpdateRangeWith(
    kern,
    c.margin,
    c.pos[l.buf].perm,
    side,
    sp !== undefined,
    l.value,
    sp === undefined ? l.value : sp.rightValue,
    K,
    k,
    start,
    end,
  );
}

/** Moves a split task's rows [t.start, t.end) into the same range of the other buffer; returns its left-row count. */
export function moveTask(kern: WasmKernels | null, c: OpsContext, t: PartitionTask, payWords: number): number {
  return (
    moveRangeWith(
      kern,
      c.pos[t.buf],
      c.pos[1 - t.buf],
      c.rowStride,
      payWords,
      t.start,
      t.end,
      c.binCol[t.feature],
      t.bin,
      t.defaultLeft,
      t.missingBin,
      t.start,
      t.end - 1,
    ) - t.start
  );
}

/** [gL, hL, gR, hR] of a split task's positions [start, end) into out[at..at+3], recording each position's side. */
export function splitSumsTask(
  kern: WasmKernels | null,
  c: OpsContext,
  t: PartitionTask,
  start: number,
  end: number,
  out: Float64Array,
  at: number,
  side: Uint8Array,
): void {
  const p = c.pos[t.buf];
  splitSumsRangeWith(
    kern,
    p.perm,
    p.bins,
    c.rowStride,
    c.binCol[t.feature],
    t.bin,
    t.defaultLeft,
    t.missingBin,
    c.gh,
    start,
    end,
    out,
    at,
    side,
  );
}

/** The gradient payload of positions [start, end) of buffer `buf` (quantized when `quant` is given). */
export function gatherTask(
  kern: WasmKernels | null,
  c: OpsContext,
  buf: number,
  start: number,
  end: number,
  quant: GatherQuantization | null,
): void {
  const p = c.pos[buf];
  gatherRangeWith(
    kern,
    p.perm,
    c.gh,
    p.pay,
    c.stride,
    start,
    end,
    quant?.gScale ?? 0,
    quant?.hScale ?? 0,
    quant?.shift ?? 0,
    quant?.seed ?? 0,
  );
}

/** Adds the histogram of positions [start, end) of buffer `buf` into `hist` (the context's stride). */
export function histogramTask(
  kern: WasmKernels | null,
  c: OpsContext,
  buf: number,
  start: number,
  end: number,
  hist: Float64Array,
): void {
  const p = c.pos[buf];
  histogramRangeWith(
    kern,
    p.bins,
    c.rowStride,
    c.binCol,
    c.offsets,
    c.numFeatures,
    p.pay,
    c.stride,
    start,
    end,
    hist,
    0,
  );
}
