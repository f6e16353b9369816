/**
 * The data-parallel operations of training — histogram batches, row partitions, gradients, margin
 * updates — run on the calling thread alone or split by rows between the calling thread and one
 * worker thread. Bins, gradients, row indices and margins live in SharedArrayBuffers; synchronisation
 * is Atomics.wait / notify on a shared control block, so the training loop stays synchronous and a
 * hand-off costs microseconds. Results are identical either way except for float summation order in
 * histograms (each half is summed separately, then added).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  buildClaimedChunks,
  fillPositionRange,
  CTRL_ALIVE,
  CTRL_ARG0,
  CTRL_ARG1,
  CTRL_DONE,
  CTRL_KIND,
  CTRL_NEXT,
  CTRL_NTASKS,
  CTRL_SEQ,
  CTRL_TASKS,
  KIND_ADD_LEAVES,
  KIND_GATHER,
  KIND_HIST,
  KIND_LOGISTIC,
  KIND_MOVE,
  KIND_SPLIT_SUMS,
  KIND_SQUARED,
  logisticRange,
  squaredRange,
  TASK_INTS,
  type PosBuffer,
} from './hist-kernel';
import {
  gatherRangeWith,
  histogramRangeWith,
  instantiateKernels,
  leafUpdateRangeWith,
  moveRangeWith,
  splitSumsRangeWith,
  type KernelMemory,
  type WasmKernels,
} from './wasm/wasm-kernels';

export interface HistTask {
  /** Position buffer (0 or 1) holding the node's rows. */
  buf: number;
  start: number;
  end: number;
  /**
   * Receives the histogram (overwritten). Tasks of one build may share a histogram: it then
   * receives the sum over their ranges (a node whose rows sit in two ranges).
   */
  hist: Float64Array;
}

export interface PartitionTask {
  buf: number;
  start: number;
  end: number;
  /** Row shard of the range (see TreeBuilder): the worker thread moves shard 1, the calling thread shard 0. */
  shard: number;
  feature: number;
  /** Rows with bin <= bin go left. */
  bin: number;
  defaultLeft: boolean;
  missingBin: number;
}

export interface LeafTask {
  buf: number;
  start: number;
  end: number;
  value: number;
  /**
   * A last-level split whose rows were not moved into its two leaves: rows it sends left (by the
   * sides the last splitSums over these positions recorded) get `value`, the others `rightValue`.
   */
  split?: { rightValue: number };
}

/** Gradient quantization of one tree (see gatherRange). */
export interface GatherQuantization {
  gScale: number;
  hScale: number;
  shift: number;
  seed: number;
}

export interface OpsContext {
  /** The two position buffers (see hist-kernel.ts); a split moves a node's rows from one to the other. */
  pos: [PosBuffer, PosBuffer];
  /** Bytes per position in the bin matrices (see rowStrideOf). */
  rowStride: number;
  /** Byte of each feature's bin within a row (see binColumnsOf). */
  binCol: Int32Array;
  /** Histogram slot of each feature's bin 0. */
  offsets: Int32Array;
  numFeatures: number;
  numRows: number;
  /** Gradient pairs by original row. */
  gh: Float32Array;
  /** Float64 slots per histogram: totalBins * stride. */
  histSize: number;
  /** 1 = packed quantized pair, 2 = [g, h], 3 = [g, h, count]. */
  stride: number;
  /** Training margins (numRows x K) and, for the single-output objectives, labels and weights. */
  margin: Float64Array;
  label: Float64Array;
  weight: Float64Array | null;
  /**
   * The WebAssembly memory the position buffers live in (createPosBuffers with a memory): the
   * histogram and move kernels then run as WebAssembly on both threads.
   */
  memory?: KernelMemory | null;
}

export interface TrainingOps {
  /** A histogram buffer (histSize float64s) the kernels can write (in the kernel memory when there is one). */
  allocHist(): Float64Array;
  /** Histograms of position ranges. */
  build(tasks: HistTask[]): void;
  /**
   * Moves each task's rows into the same range of the other buffer, left rows first (in order),
   * then right rows (in reverse order); the gradient payload moves too when `movePayload`.
   * Returns the left row count per task.
   */
  partition(tasks: PartitionTask[], movePayload: boolean): Int32Array;
  /** The tree's gradient payload of positions [0, n) of buffer `buf`; quantized when `quant` is given (stride 1). */
  gather(buf: number, n: number, quant: GatherQuantization | null): void;
  /** Gradients of all rows into gh for a single-output objective; returns [max |g|, max h] over them. */
  gradients(objective: 'logistic' | 'squared'): Float64Array;
  /**
   * margin[perm[i] * K + k] += value over each leaf's positions; a routed split's rows by the side
   * the last splitSums over the same positions recorded for them.
   */
  addLeaves(leaves: LeafTask[], K: number, k: number): void;
  /**
   * Exact [gL, hL, gR, hR] per task of the rows its split sends each way (halves summed separately,
   * then added); records each position's side for addLeaves.
   */
  splitSums(tasks: PartitionTask[]): Float64Array;
  close(): void;
}

/** Payload words per position for a histogram stride. */
export function payloadWords(stride: number): number {
  return stride === 1 ? 1 : 2;
}

/** Bytes per position of the bin matrices: 8-byte words of 7 bins and a zero byte (hist-kernel.ts). */
export function rowStrideOf(numFeatures: number): number {
  return Math.max(1, Math.ceil(numFeatures / 7)) * 8;
}

/** Byte of feature f's bin within a row: word f / 7, byte f % 7 of it (byte 7 of every word stays 0). */
export function binColumnsOf(numFeatures: number): Int32Array {
  return Int32Array.from({ length: numFeatures }, (_, f) => Math.floor(f / 7) * 8 + (f % 7));
}

/** Fills position buffer `dst` with every row in order (perm = identity) from column-major bins. */
export function fillPositions(
  dst: PosBuffer,
  colBins: Uint8Array,
  numRows: number,
  numFeatures: number,
  rowStride: number,
): void {
  fillPositionRange(
    dst.bins,
    dst.perm,
    colBins,
    numRows,
    numFeatures,
    rowStride,
    binColumnsOf(numFeatures),
    0,
    numRows,
  );
}

/**
 * The two position buffers for n rows: in `memory` when given (the WebAssembly kernels' memory,
 * shared with the worker), else shared memory when a worker will use them, else ordinary arrays.
 */
export function createPosBuffers(
  n: number,
  rowStride: number,
  payWords: number,
  shared: boolean,
  memory?: KernelMemory | null,
): [PosBuffer, PosBuffer] {
  const make = (): PosBuffer => {
    const bins = memory
      ? memory.uint8(n * rowStride)
      : shared
        ? sharedUint8(n * rowStride)
        : new Uint8Array(n * rowStride);
    return {
      bins,
      words: new Float64Array(bins.buffer, bins.byteOffset, (n * rowStride) >> 3),
      perm: memory ? memory.int32(n) : shared ? sharedInt32(n) : new Int32Array(n),
      pay: memory
        ? memory.float64(n * payWords)
        : shared
          ? sharedFloat64(n * payWords)
          : new Float64Array(n * payWords),
    };
  };
  return [make(), make()];
}

/** Bytes createPosBuffers takes in a kernel memory (to size it up front). */
export function posBufferBytes(n: number, rowStride: number, payWords: number): number {
  return 2 * (n * rowStride + 4 * n + 8 * n * payWords + 3 * 64);
}

/** Kernels for a context's memory when its position buffers, gradients and margins live there. */
function kernelsFor(ctx: OpsContext): WasmKernels | null {
  const m = ctx.memory;
  if (!m) return null;
  const inMemory =
    ctx.pos.every((p) => m.owns(p.bins) && m.owns(p.perm) && m.owns(p.pay)) && m.owns(ctx.gh) && m.owns(ctx.margin);
  return inMemory ? instantiateKernels(m.memory) : null;
}

/** Below this many rows a piece of work stays on one thread (the hand-off costs more). */
const MIN_ROWS_TO_SPLIT = 4096;
const MAX_TASKS = 64;
/** Rows per claimed chunk in dynamic scheduling. */
const DYNAMIC_CHUNK_ROWS = 8192;
const WORKER_START_TIMEOUT_MS = 60_000;

let workerScriptOverride: string | undefined;

/** Tests point this at a compiled copy of hist.worker (Jest runs .ts sources, which a Worker cannot load). */
export function setHistWorkerScript(file: string | undefined): void {
  workerScriptOverride = file;
}

export function histWorkerScript(): string | undefined {
  if (workerScriptOverride) return workerScriptOverride;
  const file = path.join(__dirname, 'hist.worker.js');
  return __filename.endsWith('.js') && fs.existsSync(file) ? file : undefined;
}

/** SharedArrayBuffer-backed typed arrays, so a worker can see them without copying. */
export function sharedFloat32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);
}
export function sharedFloat64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8), 0, n);
}
export function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);
}
export function sharedUint8(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(Math.max(8, n)), 0, n);
}

/** Whether `createTrainingOps(ctx, threads)` can use a worker (script found); callers then allocate shared arrays. */
export function workerAvailable(threads: number): boolean {
  return threads > 1 && histWorkerScript() !== undefined;
}

export function createTrainingOps(ctx: OpsContext, threads: number): TrainingOps {
  const script = threads > 1 ? histWorkerScript() : undefined;
  const arrays = [ctx.gh, ctx.margin, ctx.label, ...ctx.pos.flatMap((p) => [p.bins, p.perm, p.pay])];
  const shared = arrays.every((a) => a.buffer instanceof SharedArrayBuffer);
  if (script === undefined || !shared) return new LocalOps(ctx);
  return new ParallelOps(ctx, script);
}

function encodeDefault(t: { defaultLeft: boolean; missingBin: number }): number {
  return t.defaultLeft ? t.missingBin + 1 : -(t.missingBin + 1);
}

/** Where the calling thread's half of [start, end) stops (the worker takes [mid, end)). */
function halfOf(start: number, end: number): number {
  return end - start < MIN_ROWS_TO_SPLIT ? end : start + ((end - start) >> 1);
}

function leafRange(
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

/** A histogram buffer: in the kernel memory when the context has one. */
function newHist(ctx: OpsContext): Float64Array {
  return ctx.memory ? ctx.memory.float64(ctx.histSize) : new Float64Array(ctx.histSize);
}

/** The kernels for a histogram target: null (JavaScript) when it is not a view on their memory. */
function kernelsForHist(ctx: OpsContext, k: WasmKernels | null, hist: Float64Array): WasmKernels | null {
  return k !== null && ctx.memory!.owns(hist) ? k : null;
}

class LocalOps implements TrainingOps {
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

class ParallelOps implements TrainingOps {
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
    this.ctrl = sharedInt32(CTRL_TASKS + MAX_TASKS * TASK_INTS);
    this.scratch = this.k ? ctx.memory!.float64(MAX_TASKS * ctx.histSize) : sharedFloat64(MAX_TASKS * ctx.histSize);
    this.leafValues = sharedFloat64(2 * MAX_TASKS);
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

  private start(kind: number, n: number): number {
    const ctrl = this.ctrl;
    ctrl[CTRL_KIND] = kind;
    ctrl[CTRL_NTASKS] = n;
    const seq = ++this.seq;
    Atomics.store(ctrl, CTRL_SEQ, seq);
    Atomics.notify(ctrl, CTRL_SEQ);
    return seq;
  }

  private wait(seq: number): void {
    const ctrl = this.ctrl;
    const since = Date.now();
    for (;;) {
      const done = Atomics.load(ctrl, CTRL_DONE);
      if (done === seq) return;
      const alive = Atomics.load(ctrl, CTRL_ALIVE);
      if (alive === -1) throw new Error('gbdt training worker thread failed (see its error above)');
      if (alive === 0 && Date.now() - since > WORKER_START_TIMEOUT_MS)
        throw new Error(`gbdt training worker thread did not start within ${WORKER_START_TIMEOUT_MS} ms`);
      Atomics.wait(ctrl, CTRL_DONE, done, 1000);
    }
  }

  private static mid(start: number, end: number): number {
    return halfOf(start, end);
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
    const mids = tasks.map((t) => (dynamic ? t.start : ParallelOps.mid(t.start, t.end)));
    tasks.forEach((t, i) => {
      const o = CTRL_TASKS + i * TASK_INTS;
      ctrl[o] = dynamic ? t.start : mids[i];
      ctrl[o + 1] = t.end;
      ctrl[o + 2] = t.buf;
      ctrl[o + 3] = slots[i];
    });
    ctrl[CTRL_ARG0] = dynamic ? DYNAMIC_CHUNK_ROWS : 0;
    ctrl[CTRL_ARG1] = slotOf.size;
    Atomics.store(ctrl, CTRL_NEXT, 0);
    const seq = this.start(KIND_HIST, tasks.length);
    const S = c.rowStride;
    const ks = tasks.map((t) => kernelsForHist(c, this.k, t.hist));
    if (dynamic) {
      buildClaimedChunks(
        ctrl,
        tasks.length,
        DYNAMIC_CHUNK_ROWS,
        (t) => tasks[t].start,
        (t) => tasks[t].end,
        (t, start, end) => {
          const p = c.pos[tasks[t].buf];
          histogramRangeWith(
            ks[t],
            p.bins,
            S,
            c.binCol,
            c.offsets,
            c.numFeatures,
            p.pay,
            1,
            start,
            end,
            tasks[t].hist,
            0,
          );
        },
      );
    } else {
      tasks.forEach((t, i) => {
        const p = c.pos[t.buf];
        histogramRangeWith(
          ks[i],
          p.bins,
          S,
          c.binCol,
          c.offsets,
          c.numFeatures,
          p.pay,
          c.stride,
          t.start,
          mids[i],
          t.hist,
          0,
        );
      });
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
    const mids = tasks.map((t) => ParallelOps.mid(t.start, t.end));
    tasks.forEach((t, i) => {
      const o = CTRL_TASKS + i * TASK_INTS;
      ctrl[o] = mids[i];
      ctrl[o + 1] = t.end;
      ctrl[o + 2] = c.binCol[t.feature];
      ctrl[o + 3] = t.bin;
      ctrl[o + 4] = encodeDefault(t);
      ctrl[o + 5] = t.buf;
    });
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
    const S = c.rowStride;
    const words = movePayload ? payloadWords(c.stride) : 0;
    const counts = new Int32Array(tasks.length);
    let n = 0;
    tasks.forEach((t, i) => {
      if (t.shard !== 1) return;
      const o = CTRL_TASKS + n++ * TASK_INTS;
      ctrl[o] = t.start;
      ctrl[o + 1] = t.end;
      ctrl[o + 2] = c.binCol[t.feature];
      ctrl[o + 3] = t.bin;
      ctrl[o + 4] = encodeDefault(t);
      ctrl[o + 5] = t.buf;
      ctrl[o + 6] = i;
    });
    ctrl[CTRL_ARG0] = words;
    const seq = n > 0 ? this.start(KIND_MOVE, n) : 0;
    tasks.forEach((t, i) => {
      if (t.shard === 1) return;
      counts[i] =
        moveRangeWith(
          this.k,
          c.pos[t.buf],
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
    if (n > 0) {
      this.wait(seq);
      for (let j = 0; j < n; j++) {
        const o = CTRL_TASKS + j * TASK_INTS;
        counts[ctrl[o + 6]] = ctrl[o + 7];
      }
    }
    return counts;
  }

  gather(buf: number, n: number, quant: GatherQuantization | null): void {
    const c = this.ctx;
    const mid = ParallelOps.mid(0, n);
    const ctrl = this.ctrl;
    ctrl[CTRL_TASKS] = mid;
    ctrl[CTRL_TASKS + 1] = n;
    ctrl[CTRL_TASKS + 2] = buf;
    ctrl[CTRL_ARG0] = quant?.shift ?? 0;
    ctrl[CTRL_ARG1] = quant?.seed ?? 0;
    this.leafValues[0] = quant?.gScale ?? 0;
    this.leafValues[1] = quant?.hScale ?? 0;
    const seq = this.start(KIND_GATHER, 1);
    const p = c.pos[buf];
    gatherRangeWith(
      this.k,
      p.perm,
      c.gh,
      p.pay,
      c.stride,
      0,
      mid,
      quant?.gScale ?? 0,
      quant?.hScale ?? 0,
      quant?.shift ?? 0,
      quant?.seed ?? 0,
    );
    this.wait(seq);
  }

  gradients(objective: 'logistic' | 'squared'): Float64Array {
    const c = this.ctx;
    const mid = ParallelOps.mid(0, c.numRows);
    this.ctrl[CTRL_TASKS] = mid;
    this.ctrl[CTRL_TASKS + 1] = c.numRows;
    const seq = this.start(objective === 'logistic' ? KIND_LOGISTIC : KIND_SQUARED, 1);
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
      const mids = chunk.map((l) => ParallelOps.mid(l.start, l.end));
      chunk.forEach((l, i) => {
        const o = CTRL_TASKS + i * TASK_INTS;
        const sp = l.split;
        ctrl[o] = mids[i];
        ctrl[o + 1] = l.end;
        ctrl[o + 2] = i;
        ctrl[o + 3] = l.buf;
        ctrl[o + 4] = sp === undefined ? 0 : 1;
        this.leafValues[2 * i] = l.value;
        this.leafValues[2 * i + 1] = sp === undefined ? l.value : sp.rightValue;
      });
      ctrl[CTRL_ARG0] = K;
      ctrl[CTRL_ARG1] = k;
      const seq = this.start(KIND_ADD_LEAVES, chunk.length);
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
    const seq = this.start(KIND_SPLIT_SUMS, tasks.length);
    const mine = this.sums;
    tasks.forEach((t, i) => {
      const p = c.pos[t.buf];
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
        mids[i],
        mine,
        4 * i,
        this.side,
      );
    });
    this.wait(seq);
    // the worker's half of each task (zeros for a task too small to split), added in a fixed order
    const s = this.scratch;
    const out = new Float64Array(4 * tasks.length);
    for (let j = 0; j < out.length; j++) out[j] = mine[j] + s[j];
    return out;
  }

  close(): void {
    Atomics.store(this.ctrl, CTRL_SEQ, -1);
    Atomics.notify(this.ctrl, CTRL_SEQ);
    void this.worker.terminate();
  }
}
