/** The training operations on the calling thread alone. */
import { logisticRange, squaredRange } from './hist-kernel';
import {
  gatherTask,
  halfOf,
  histogramTask,
  kernelsFor,
  kernelsForHist,
  leafRange,
  moveTask,
  newHist,
  splitSumsTask,
} from './ops-common';
import { payloadWords } from './position-buffers';
import type {
  GatherQuantization,
  HistTask,
  LeafTask,
  OpsContext,
  PartitionTask,
  TrainingOps,
} from './training-ops.types';
import type { WasmKernels } from './wasm/wasm-kernels';

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
    for (const t of tasks) histogramTask(kernelsForHist(c, this.k, t.hist), c, t.buf, t.start, t.end, t.hist);
  }

  partition(tasks: PartitionTask[], movePayload: boolean): Int32Array {
    const words = movePayload ? payloadWords(this.ctx.stride) : 0;
    return Int32Array.from(tasks, (t) => moveTask(this.k, this.ctx, t, words));
  }

  gather(buf: number, n: number, quant: GatherQuantization | null): void {
    gatherTask(this.k, this.ctx, buf, 0, n, quant);
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
    const out = new Float64Array(4 * tasks.length);
    const s = this.sums;
    tasks.forEach((t, i) => {
      // halves summed separately, then added, as the two threads do
      const mid = halfOf(t.start, t.end);
      splitSumsTask(this.k, this.ctx, t, t.start, mid, s, 0, this.side);
      splitSumsTask(this.k, this.ctx, t, mid, t.end, s, 4, this.side);
      for (let j = 0; j < 4; j++) out[4 * i + j] = s[j] + s[4 + j];
    });
    return out;
  }

  close(): void {}
}
