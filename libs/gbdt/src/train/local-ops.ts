/** The training operations on the calling thread alone. */
import { logisticRange, squaredRange } from './hist-kernel';
import { halfOf, kernelsFor, kernelsForHist, leafRange, newHist } from './ops-common';
import { payloadWords } from './position-buffers';
import type {
  GatherQuantization,
  HistTask,
  LeafTask,
  OpsContext,
  PartitionTask,
  TrainingOps,
} from './training-ops.types';
import {
  gatherRangeWith,
  histogramRangeWith,
  moveRangeWith,
  splitSumsRangeWith,
  type WasmKernels,
} from './wasm/wasm-kernels';

export class LocalOps implements TrainingOps {
  private readonly side: Uint8Array;
  private readonly k: WasmKernels | null;

  /** The kernels write split sums here (in their memory when there are kernels). */
  private readonly sums: Float64Array;

  constructor(private readonly ctx: OpsContext) {
    this.k = kernelsFor(ctx);
    this.side = this.k ? ctx.memory!.uint8(ctx.numRows) : new Uint8Array(ctx.numRows);
    this.sums = this.k ? ctx.memory!.float64(8) : new Float64Array(8);
  }

  allocHist(): Float64Array {
    return newHist(this.ctx);
  }

  build(tasks: HistTask[]): void {
    const c = this.ctx;
    for (const t of tasks) t.hist.fill(0, 0, c.histSize);
    for (const t of tasks) {
      const p = c.pos[t.buf];
      histogramRangeWith(
        kernelsForHist(c, this.k, t.hist),
        p.bins,
        c.rowStride,
        c.binCol,
        c.offsets,
        c.numFeatures,
        p.pay,
        c.stride,
        t.start,
        t.end,
        t.hist,
        0,
      );
    }
  }

  partition(tasks: PartitionTask[], movePayload: boolean): Int32Array {
    const c = this.ctx;
    const S = c.rowStride;
    const words = movePayload ? payloadWords(c.stride) : 0;
    const counts = new Int32Array(tasks.length);
    tasks.forEach((t, i) => {
      const src = c.pos[t.buf];
      counts[i] =
        moveRangeWith(
          this.k,
          src,
          c.pos[1 - t.buf],
          S,
          words,
          t.start,
          t.end,
          c.binCol[t.feature],
          t.bin,
          t.defaultLeft,
          t.missingBin,
          t.start,
          t.end - 1,
        ) - t.start;
    });
    return counts;
  }

  gather(buf: number, n: number, quant: GatherQuantization | null): void {
    const c = this.ctx;
    const p = c.pos[buf];
    gatherRangeWith(
      this.k,
      p.perm,
      c.gh,
      p.pay,
      c.stride,
      0,
      n,
      quant?.gScale ?? 0,
      quant?.hScale ?? 0,
      quant?.shift ?? 0,
      quant?.seed ?? 0,
    );
  }

  gradients(objective: 'logistic' | 'squared'): Float64Array {
    const c = this.ctx;
    const out = new Float64Array(2);
    if (objective === 'logistic') logisticRange(c.margin, c.label, c.weight, c.gh, 0, c.numRows, out, 0);
    else squaredRange(c.margin, c.label, c.weight, c.gh, 0, c.numRows, out, 0);
    return out;
  }

  addLeaves(leaves: LeafTask[], K: number, k: number): void {
    for (const l of leaves) leafRange(this.k, this.ctx, this.side, l, K, k, l.start, l.end);
  }

  splitSums(tasks: PartitionTask[]): Float64Array {
    const c = this.ctx;
    const out = new Float64Array(4 * tasks.length);
    const s = this.sums;
    tasks.forEach((t, i) => {
      const p = c.pos[t.buf];
      const mid = halfOf(t.start, t.end);
      // halves summed separately, then added, as the two threads do
      splitSumsRangeWith(
        this.k,
        p.perm,
        p.bins,
        c.rowStride,
        c.binCol[t.feature],
        t.bin,
        t.defaultLeft,
        t.missingBin,
        c.gh,
        t.start,
        mid,
        s,
        0,
        this.side,
      );
      splitSumsRangeWith(
        this.k,
        p.perm,
        p.bins,
        c.rowStride,
        c.binCol[t.feature],
        t.bin,
        t.defaultLeft,
        t.missingBin,
        c.gh,
        mid,
        t.end,
        s,
        4,
        this.side,
      );
      for (let j = 0; j < 4; j++) out[4 * i + j] = s[j] + s[4 + j];
    });
    return out;
  }

  close(): void {}
}
