/** What the single-thread and two-thread training operations share: kernel choice, leaf updates, halves. */
import type { LeafTask, OpsContext } from './training-ops.types';
import { instantiateKernels, leafUpdateRangeWith, type WasmKernels } from './wasm/wasm-kernels';

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
