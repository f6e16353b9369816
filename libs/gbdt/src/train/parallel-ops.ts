/**
 * The training operations split by rows between the calling thread and one worker thread
 * (hist.worker.ts), which share the position buffers, gradients and margins. A request is a few ints
 * in the shared control block (worker-protocol.ts) and Atomics.wait / notify, so the training loop
 * stays synchronous and a hand-off costs microseconds.
 */
import { Worker } from 'node:worker_threads';
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
import { payloadWords, sharedFloat64, sharedInt32, sharedUint8 } from './position-buffers';
import type {
  GatherQuantization,
  HistTask,
  LeafTask,
  OpsContext,
  PartitionTask,
  TrainingOps,
} from './training-ops.types';
import {
  buildClaimedChunks,
  CTRL_INTS,
  CtrlSlot,
  encodeDefault,
  FLOAT_SLOTS,
  FloatSlot,
  GatherArg,
  GatherField,
  HistArg,
  HistField,
  LeafField,
  LeavesArg,
  MAX_TASKS,
  MoveArg,
  OpKind,
  SplitField,
  TaskField,
  taskOffset,
  WorkerState,
} from './worker-protocol';
import type { WasmKernels } from './wasm/wasm-kernels';

/** Rows per claimed chunk in dynamic scheduling. */
const DYNAMIC_CHUNK_ROWS = 8192;
const WORKER_START_TIMEOUT_MS = 60_000;

/** Writes the split of each task for the worker, whose rows are [start of its share, t.end). */
function writeSplitTask(ctrl: Int32Array, i: number, start: number, t: PartitionTask, byte: number): number {
  const o = taskOffset(i);
  ctrl[o + TaskField.Start] = start;
  ctrl[o + TaskField.End] = t.end;
  ctrl[o + SplitField.Byte] = byte;
  ctrl[o + SplitField.Bin] = t.bin;
  ctrl[o + SplitField.Default] = encodeDefault(t);
  ctrl[o + SplitField.Buf] = t.buf;
  return o;
}

export class ParallelOps implements TrainingOps {
  private readonly ctrl: Int32Array;
  private readonly scratch: Float64Array;
  private readonly leafValues: Float64Array;
  private readonly side: Uint8Array;
  private readonly worker: Worker;
  private readonly k: WasmKernels | null;
  /** The calling thread's split sums (in the kernels' memory when there are kernels). */
  private readonly sums: Float64Array;
  private seq = 0;

  constructor(
    private readonly ctx: OpsContext,
    script: string,
  ) {
    this.k = kernelsFor(ctx);
    this.ctrl = sharedInt32(CTRL_INTS);
    this.scratch = this.k ? ctx.memory!.float64(MAX_TASKS * ctx.histSize) : sharedFloat64(MAX_TASKS * ctx.histSize);
    this.leafValues = sharedFloat64(FLOAT_SLOTS);
    this.side = this.k ? ctx.memory!.uint8(ctx.numRows) : sharedUint8(ctx.numRows);
    this.sums = this.k ? ctx.memory!.float64(4 * MAX_TASKS) : new Float64Array(4 * MAX_TASKS);
    const { memory, ...plain } = ctx;
    this.worker = new Worker(script, {
      // the worker instantiates the kernels on the same memory (position buffers and scratch are views on it)
      workerData: {
        ...plain,
        wasmMemory: this.k ? memory!.memory : null,
        scratch: this.scratch,
        ctrl: this.ctrl,
        leafValues: this.leafValues,
        side: this.side,
      },
    });
    this.worker.unref();
  }

  allocHist(): Float64Array {
    return newHist(this.ctx);
  }

  private start(kind: OpKind, n: number): number {
    const ctrl = this.ctrl;
    ctrl[CtrlSlot.Kind] = kind;
    ctrl[CtrlSlot.NumTasks] = n;
    const seq = ++this.seq;
    Atomics.store(ctrl, CtrlSlot.Seq, seq);
    Atomics.notify(ctrl, CtrlSlot.Seq);
    return seq;
  }

  private wait(seq: number): void {
    const ctrl = this.ctrl;
    const since = Date.now();
    for (;;) {
      const done = Atomics.load(ctrl, CtrlSlot.Done);
      if (done === seq) return;
      const alive = Atomics.load(ctrl, CtrlSlot.Alive);
      if (alive === WorkerState.Failed) throw new Error('gbdt training worker thread failed (see its error above)');
      if (alive === WorkerState.NotStarted && Date.now() - since > WORKER_START_TIMEOUT_MS)
        throw new Error(`gbdt training worker thread did not start within ${WORKER_START_TIMEOUT_MS} ms`);
      Atomics.wait(ctrl, CtrlSlot.Done, done, 1000);
    }
  }

  build(tasks: HistTask[]): void {
    // zeroed once here: a histogram shared by tasks may span chunks
    for (const t of tasks) t.hist.fill(0, 0, this.ctx.histSize);
    for (let from = 0; from < tasks.length; from += MAX_TASKS) this.buildChunk(tasks.slice(from, from + MAX_TASKS));
  }

  /**
   * Quantized histograms (integer sums, order-free): both threads claim row chunks dynamically.
   * Float histograms: the worker takes the second half of each range, so the sums do not depend on
   * timing. The worker adds into one scratch slot per distinct histogram, merged afterwards.
   */
  private buildChunk(tasks: HistTask[]): void {
    const c = this.ctx;
    const ctrl = this.ctrl;
    const dynamic = c.stride === 1;
    const slotOf = new Map<Float64Array, number>();
    const slots = tasks.map((t) => {
      let slot = slotOf.get(t.hist);
      if (slot === undefined) slotOf.set(t.hist, (slot = slotOf.size));
      return slot;
    });
    const mids = tasks.map((t) => (dynamic ? t.start : halfOf(t.start, t.end)));
    tasks.forEach((t, i) => {
      const o = taskOffset(i);
      ctrl[o + TaskField.Start] = dynamic ? t.start : mids[i];
      ctrl[o + TaskField.End] = t.end;
      ctrl[o + HistField.Buf] = t.buf;
      ctrl[o + HistField.Slot] = slots[i];
    });
    ctrl[HistArg.ChunkRows] = dynamic ? DYNAMIC_CHUNK_ROWS : 0;
    ctrl[HistArg.Slots] = slotOf.size;
    Atomics.store(ctrl, CtrlSlot.NextChunk, 0);
    const seq = this.start(OpKind.Hist, tasks.length);
    const ks = tasks.map((t) => kernelsForHist(c, this.k, t.hist));
    if (dynamic) {
      buildClaimedChunks(
        ctrl,
        tasks.length,
        DYNAMIC_CHUNK_ROWS,
        (t) => tasks[t].start,
        (t) => tasks[t].end,
        (t, start, end) => histogramTask(ks[t], c, tasks[t].buf, start, end, tasks[t].hist),
      );
    } else {
      tasks.forEach((t, i) => histogramTask(ks[i], c, t.buf, t.start, mids[i], t.hist));
    }
    this.wait(seq);
    const size = c.histSize;
    const s = this.scratch;
    for (const [h, slot] of slotOf) {
      const base = slot * size;
      for (let j = 0; j < size; j++) h[j] += s[base + j];
    }
  }

  partition(tasks: PartitionTask[], movePayload: boolean): Int32Array {
    const counts = new Int32Array(tasks.length);
    for (let from = 0; from < tasks.length; from += MAX_TASKS) {
      counts.set(this.partitionChunk(tasks.slice(from, from + MAX_TASKS), movePayload), from);
    }
    return counts;
  }

  /** Writes split tasks for the worker (it takes each task's second half) and returns the midpoints. */
  private postSplitTasks(tasks: PartitionTask[]): number[] {
    const c = this.ctx;
    const ctrl = this.ctrl;
    const mids = tasks.map((t) => halfOf(t.start, t.end));
    tasks.forEach((t, i) => writeSplitTask(ctrl, i, mids[i], t, c.binCol[t.feature]));
    return mids;
  }

  /**
   * One phase: the worker moves the shard-1 ranges, this thread the others, each range into the
   * same range of the other buffer (left rows from its start, right rows from its end), so no
   * count of the left rows is needed before the move.
   */
  private partitionChunk(tasks: PartitionTask[], movePayload: boolean): Int32Array {
    const c = this.ctx;
    const ctrl = this.ctrl;
    const words = movePayload ? payloadWords(c.stride) : 0;
    const counts = new Int32Array(tasks.length);
    let n = 0;
    tasks.forEach((t, i) => {
      if (t.shard !== 1) return;
      const o = writeSplitTask(ctrl, n++, t.start, t, c.binCol[t.feature]);
      ctrl[o + SplitField.TaskIndex] = i;
    });
    ctrl[MoveArg.PayloadWords] = words;
    const seq = n > 0 ? this.start(OpKind.Move, n) : 0;
    tasks.forEach((t, i) => {
      if (t.shard === 1) return;
      counts[i] = moveTask(this.k, c, t, words);
    });
    if (n > 0) {
      this.wait(seq);
      for (let j = 0; j < n; j++) {
        const o = taskOffset(j);
        counts[ctrl[o + SplitField.TaskIndex]] = ctrl[o + SplitField.LeftCount];
      }
    }
    return counts;
  }

  gather(buf: number, n: number, quant: GatherQuantization | null): void {
    const c = this.ctx;
    const mid = halfOf(0, n);
    const ctrl = this.ctrl;
    const o = taskOffset(0);
    ctrl[o + TaskField.Start] = mid;
    ctrl[o + TaskField.End] = n;
    ctrl[o + GatherField.Buf] = buf;
    ctrl[GatherArg.Shift] = quant?.shift ?? 0;
    ctrl[GatherArg.Seed] = quant?.seed ?? 0;
    this.leafValues[FloatSlot.GatherGScale] = quant?.gScale ?? 0;
    this.leafValues[FloatSlot.GatherHScale] = quant?.hScale ?? 0;
    const seq = this.start(OpKind.Gather, 1);
    gatherTask(this.k, c, buf, 0, mid, quant);
    this.wait(seq);
  }

  gradients(objective: 'logistic' | 'squared'): Float64Array {
    const c = this.ctx;
    const mid = halfOf(0, c.numRows);
    const o = taskOffset(0);
    this.ctrl[o + TaskField.Start] = mid;
    this.ctrl[o + TaskField.End] = c.numRows;
    const seq = this.start(objective === 'logistic' ? OpKind.Logistic : OpKind.Squared, 1);
    const out = new Float64Array(2);
    if (objective === 'logistic') logisticRange(c.margin, c.label, c.weight, c.gh, 0, mid, out, 0);
    else squaredRange(c.margin, c.label, c.weight, c.gh, 0, mid, out, 0);
    this.wait(seq);
    // the maxima are order-free; the worker's half (zeros when it had no rows) is in scratch
    out[0] = Math.max(out[0], this.scratch[0]);
    out[1] = Math.max(out[1], this.scratch[1]);
    return out;
  }

  addLeaves(leaves: LeafTask[], K: number, k: number): void {
    for (let from = 0; from < leaves.length; from += MAX_TASKS) {
      const chunk = leaves.slice(from, from + MAX_TASKS);
      const ctrl = this.ctrl;
      const mids = chunk.map((l) => halfOf(l.start, l.end));
      chunk.forEach((l, i) => {
        const o = taskOffset(i);
        const sp = l.split;
        ctrl[o + TaskField.Start] = mids[i];
        ctrl[o + TaskField.End] = l.end;
        ctrl[o + LeafField.ValueIndex] = i;
        ctrl[o + LeafField.Buf] = l.buf;
        ctrl[o + LeafField.Routed] = sp === undefined ? 0 : 1;
        this.leafValues[2 * i] = l.value;
        this.leafValues[2 * i + 1] = sp === undefined ? l.value : sp.rightValue;
      });
      ctrl[LeavesArg.Outputs] = K;
      ctrl[LeavesArg.Output] = k;
      const seq = this.start(OpKind.AddLeaves, chunk.length);
      chunk.forEach((l, i) => leafRange(this.k, this.ctx, this.side, l, K, k, l.start, mids[i]));
      this.wait(seq);
    }
  }

  splitSums(tasks: PartitionTask[]): Float64Array {
    const out = new Float64Array(4 * tasks.length);
    for (let from = 0; from < tasks.length; from += MAX_TASKS)
      out.set(this.splitSumsChunk(tasks.slice(from, from + MAX_TASKS)), 4 * from);
    return out;
  }

  private splitSumsChunk(tasks: PartitionTask[]): Float64Array {
    const c = this.ctx;
    const mids = this.postSplitTasks(tasks);
    const seq = this.start(OpKind.SplitSums, tasks.length);
    const mine = this.sums;
    tasks.forEach((t, i) => splitSumsTask(this.k, c, t, t.start, mids[i], mine, 4 * i, this.side));
    this.wait(seq);
    // the worker's half of each task (zeros for a task too small to split), added in a fixed order
    const s = this.scratch;
    const out = new Float64Array(4 * tasks.length);
    for (let j = 0; j < out.length; j++) out[j] = mine[j] + s[j];
    return out;
  }

  close(): void {
    Atomics.store(this.ctrl, CtrlSlot.Seq, -1);
    Atomics.notify(this.ctrl, CtrlSlot.Seq);
    void this.worker.terminate();
  }
}
