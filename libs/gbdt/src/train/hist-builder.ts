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
  addLeafRange,
  buildClaimedChunks,
  buildHistogram,
  CTRL_ALIVE,
  CTRL_ALL_ROWS,
  CTRL_ARG0,
  CTRL_ARG1,
  CTRL_DONE,
  CTRL_KIND,
  CTRL_NEXT,
  CTRL_NTASKS,
  CTRL_SEQ,
  CTRL_TASKS,
  KIND_ADD_LEAVES,
  KIND_HIST,
  KIND_LOGISTIC,
  KIND_PARTITION,
  KIND_QUANTIZE,
  KIND_SQUARED,
  logisticRange,
  partitionRange,
  quantizeRange,
  squaredRange,
  TASK_INTS,
  type RowBins,
} from './hist-kernel';

export interface HistTask {
  start: number;
  end: number;
  /** Receives the histogram (overwritten). */
  hist: Float64Array;
}

export interface PartitionTask {
  start: number;
  end: number;
  feature: number;
  /** Rows with bin <= bin go left. */
  bin: number;
  defaultLeft: boolean;
  missingBin: number;
}

export interface LeafTask {
  start: number;
  end: number;
  value: number;
}

export interface OpsContext {
  /** Row-major bins (histograms). */
  bins: RowBins;
  /** Column-major value bins (partitions). */
  colBins: Uint8Array;
  numFeatures: number;
  numRows: number;
  gh: Float32Array;
  /** Packed quantized gradient pairs (stride 1), else null. */
  packed: Float64Array | null;
  rows: Int32Array;
  temp: Int32Array;
  /** Float64 slots per histogram: totalBins * stride. */
  histSize: number;
  /** 1 = packed quantized pair, 2 = [g, h], 3 = [g, h, count]. */
  stride: number;
  /** Training margins (numRows x K) and, for the single-output objectives, labels and weights. */
  margin: Float64Array;
  label: Float64Array;
  weight: Float64Array | null;
}

export interface TrainingOps {
  /** allRows: the tasks index rows directly (row i = i), skipping the row index array. */
  build(tasks: HistTask[], allRows: boolean): void;
  /** Stable partition of each task's range of rows[]; returns the left row count per task. */
  partition(tasks: PartitionTask[]): Int32Array;
  /** Gradients of all rows into gh for a single-output objective. */
  gradients(objective: 'logistic' | 'squared'): void;
  /** margin[rows[i] * K + k] += value over each leaf's rows. */
  addLeaves(leaves: LeafTask[], K: number, k: number): void;
  /** Packs gh of rows[0..n) (or rows 0..n when allRows) into ctx.packed (see quantizeRange). */
  quantize(n: number, allRows: boolean, gScale: number, hScale: number, shift: number, seed: number): void;
  close(): void;
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
export function sharedUint16(n: number): Uint16Array {
  return new Uint16Array(new SharedArrayBuffer(Math.max(1, n) * 2), 0, n);
}
export function sharedUint8(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(Math.max(1, n)), 0, n);
}

/** Whether `createTrainingOps(ctx, threads)` can use a worker (script found); callers then allocate shared arrays. */
export function workerAvailable(threads: number): boolean {
  return threads > 1 && histWorkerScript() !== undefined;
}

export function createTrainingOps(ctx: OpsContext, threads: number): TrainingOps {
  const script = threads > 1 ? histWorkerScript() : undefined;
  const shared = [ctx.bins.narrow, ...(ctx.bins.wide ? [ctx.bins.wide] : []), ctx.colBins, ctx.gh, ctx.rows, ctx.temp, ctx.margin, ctx.label].every((a) => a.buffer instanceof SharedArrayBuffer);
  if (script === undefined || !shared) return new LocalOps(ctx);
  return new ParallelOps(ctx, script);
}

class LocalOps implements TrainingOps {
  constructor(private readonly ctx: OpsContext) {}

  build(tasks: HistTask[], allRows: boolean): void {
    const c = this.ctx;
    for (const t of tasks) {
      t.hist.fill(0, 0, c.histSize);
      buildHistogram(c.bins, c.numFeatures, c.gh, c.packed, allRows ? null : c.rows, t.start, t.end, t.hist, 0, c.stride);
    }
  }

  partition(tasks: PartitionTask[]): Int32Array {
    const c = this.ctx;
    const counts = new Int32Array(tasks.length);
    tasks.forEach((t, i) => {
      const l = partitionRange(c.rows, c.temp, c.colBins, c.numRows, t.start, t.end, t.feature, t.bin, t.defaultLeft, t.missingBin);
      c.rows.set(c.temp.subarray(t.start, t.end - l), t.start + l);
      counts[i] = l;
    });
    return counts;
  }

  gradients(objective: 'logistic' | 'squared'): void {
    const c = this.ctx;
    if (objective === 'logistic') logisticRange(c.margin, c.label, c.weight, c.gh, 0, c.numRows);
    else squaredRange(c.margin, c.label, c.weight, c.gh, 0, c.numRows);
  }

  addLeaves(leaves: LeafTask[], K: number, k: number): void {
    for (const l of leaves) addLeafRange(this.ctx.margin, this.ctx.rows, K, k, l.value, l.start, l.end);
  }

  quantize(n: number, allRows: boolean, gScale: number, hScale: number, shift: number, seed: number): void {
    quantizeRange(this.ctx.gh, this.ctx.packed!, allRows ? null : this.ctx.rows, 0, n, gScale, hScale, shift, seed);
  }

  close(): void {}
}

class ParallelOps implements TrainingOps {
  private readonly ctrl: Int32Array;
  private readonly scratch: Float64Array;
  private readonly leafValues: Float64Array;
  private readonly worker: Worker;
  private seq = 0;

  constructor(
    private readonly ctx: OpsContext,
    script: string,
  ) {
    this.ctrl = sharedInt32(CTRL_TASKS + MAX_TASKS * TASK_INTS);
    this.scratch = sharedFloat64(MAX_TASKS * ctx.histSize);
    this.leafValues = sharedFloat64(MAX_TASKS);
    this.worker = new Worker(script, {
      workerData: { ...ctx, scratch: this.scratch, ctrl: this.ctrl, leafValues: this.leafValues },
    });
    this.worker.unref();
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
      if (alive === 0 && Date.now() - since > WORKER_START_TIMEOUT_MS) throw new Error(`gbdt training worker thread did not start within ${WORKER_START_TIMEOUT_MS} ms`);
      Atomics.wait(ctrl, CTRL_DONE, done, 1000);
    }
  }

  /** Where the calling thread's half of [start, end) stops (the worker takes [mid, end)). */
  private static mid(start: number, end: number): number {
    return end - start < MIN_ROWS_TO_SPLIT ? end : start + ((end - start) >> 1);
  }

  build(tasks: HistTask[], allRows: boolean): void {
    for (let from = 0; from < tasks.length; from += MAX_TASKS) this.buildChunk(tasks.slice(from, from + MAX_TASKS), allRows);
  }

  private buildChunk(tasks: HistTask[], allRows: boolean): void {
    const c = this.ctx;
    const ctrl = this.ctrl;
    if (c.stride === 1) {
      this.buildDynamic(tasks, allRows);
      return;
    }
    ctrl[CTRL_ARG0] = 0;
    const mids = tasks.map((t) => ParallelOps.mid(t.start, t.end));
    tasks.forEach((t, i) => {
      ctrl[CTRL_TASKS + i * TASK_INTS] = mids[i];
      ctrl[CTRL_TASKS + i * TASK_INTS + 1] = t.end;
    });
    ctrl[CTRL_ALL_ROWS] = allRows ? 1 : 0;
    const seq = this.start(KIND_HIST, tasks.length);
    const rows = allRows ? null : c.rows;
    tasks.forEach((t, i) => {
      t.hist.fill(0, 0, c.histSize);
      buildHistogram(c.bins, c.numFeatures, c.gh, c.packed, rows, t.start, mids[i], t.hist, 0, c.stride);
    });
    this.wait(seq);
    const size = c.histSize;
    const s = this.scratch;
    tasks.forEach((t, i) => {
      if (mids[i] === t.end) return;
      const h = t.hist;
      const base = i * size;
      for (let j = 0; j < size; j++) h[j] += s[base + j];
    });
  }

  /** Quantized histograms: both threads claim row chunks dynamically (integer sums, order-free). */
  private buildDynamic(tasks: HistTask[], allRows: boolean): void {
    const c = this.ctx;
    const ctrl = this.ctrl;
    tasks.forEach((t, i) => {
      ctrl[CTRL_TASKS + i * TASK_INTS] = t.start;
      ctrl[CTRL_TASKS + i * TASK_INTS + 1] = t.end;
      t.hist.fill(0, 0, c.histSize);
    });
    ctrl[CTRL_ALL_ROWS] = allRows ? 1 : 0;
    ctrl[CTRL_ARG0] = DYNAMIC_CHUNK_ROWS;
    Atomics.store(ctrl, CTRL_NEXT, 0);
    const seq = this.start(KIND_HIST, tasks.length);
    const rows = allRows ? null : c.rows;
    buildClaimedChunks(
      ctrl,
      tasks.length,
      DYNAMIC_CHUNK_ROWS,
      (t) => tasks[t].start,
      (t) => tasks[t].end,
      (t, start, end) => buildHistogram(c.bins, c.numFeatures, c.gh, c.packed, rows, start, end, tasks[t].hist, 0, c.stride),
    );
    this.wait(seq);
    const size = c.histSize;
    const s = this.scratch;
    tasks.forEach((t, i) => {
      const h = t.hist;
      const base = i * size;
      for (let j = 0; j < size; j++) h[j] += s[base + j];
    });
  }

  partition(tasks: PartitionTask[]): Int32Array {
    const counts = new Int32Array(tasks.length);
    for (let from = 0; from < tasks.length; from += MAX_TASKS) {
      counts.set(this.partitionChunk(tasks.slice(from, from + MAX_TASKS)), from);
    }
    return counts;
  }

  private partitionChunk(tasks: PartitionTask[]): Int32Array {
    const c = this.ctx;
    const ctrl = this.ctrl;
    const mids = tasks.map((t) => ParallelOps.mid(t.start, t.end));
    tasks.forEach((t, i) => {
      const o = CTRL_TASKS + i * TASK_INTS;
      ctrl[o] = mids[i];
      ctrl[o + 1] = t.end;
      ctrl[o + 2] = t.feature;
      ctrl[o + 3] = t.bin;
      ctrl[o + 4] = t.defaultLeft ? t.missingBin + 1 : -(t.missingBin + 1);
      ctrl[o + 5] = 0;
    });
    const seq = this.start(KIND_PARTITION, tasks.length);
    const leftA = tasks.map((t, i) => partitionRange(c.rows, c.temp, c.colBins, c.numRows, t.start, mids[i], t.feature, t.bin, t.defaultLeft, t.missingBin));
    this.wait(seq);
    // stable result: left of A, left of B, right of A, right of B
    const counts = new Int32Array(tasks.length);
    tasks.forEach((t, i) => {
      const m = mids[i];
      const lA = leftA[i];
      const lB = ctrl[CTRL_TASKS + i * TASK_INTS + 5];
      const rA = m - t.start - lA;
      const rB = t.end - m - lB;
      if (lB > 0) c.rows.copyWithin(t.start + lA, m, m + lB);
      c.rows.set(c.temp.subarray(t.start, t.start + rA), t.start + lA + lB);
      if (rB > 0) c.rows.set(c.temp.subarray(m, m + rB), t.start + lA + lB + rA);
      counts[i] = lA + lB;
    });
    return counts;
  }

  gradients(objective: 'logistic' | 'squared'): void {
    const c = this.ctx;
    const mid = ParallelOps.mid(0, c.numRows);
    this.ctrl[CTRL_TASKS] = mid;
    this.ctrl[CTRL_TASKS + 1] = c.numRows;
    const seq = this.start(objective === 'logistic' ? KIND_LOGISTIC : KIND_SQUARED, 1);
    if (objective === 'logistic') logisticRange(c.margin, c.label, c.weight, c.gh, 0, mid);
    else squaredRange(c.margin, c.label, c.weight, c.gh, 0, mid);
    this.wait(seq);
  }

  addLeaves(leaves: LeafTask[], K: number, k: number): void {
    for (let from = 0; from < leaves.length; from += MAX_TASKS) {
      const chunk = leaves.slice(from, from + MAX_TASKS);
      const ctrl = this.ctrl;
      const mids = chunk.map((l) => ParallelOps.mid(l.start, l.end));
      chunk.forEach((l, i) => {
        const o = CTRL_TASKS + i * TASK_INTS;
        ctrl[o] = mids[i];
        ctrl[o + 1] = l.end;
        ctrl[o + 2] = i;
        this.leafValues[i] = l.value;
      });
      ctrl[CTRL_ARG0] = K;
      ctrl[CTRL_ARG1] = k;
      const seq = this.start(KIND_ADD_LEAVES, chunk.length);
      chunk.forEach((l, i) => addLeafRange(this.ctx.margin, this.ctx.rows, K, k, l.value, l.start, mids[i]));
      this.wait(seq);
    }
  }

  quantize(n: number, allRows: boolean, gScale: number, hScale: number, shift: number, seed: number): void {
    const c = this.ctx;
    const mid = ParallelOps.mid(0, n);
    this.ctrl[CTRL_TASKS] = mid;
    this.ctrl[CTRL_TASKS + 1] = n;
    this.ctrl[CTRL_ALL_ROWS] = allRows ? 1 : 0;
    this.ctrl[CTRL_ARG0] = shift;
    this.ctrl[CTRL_ARG1] = seed;
    this.leafValues[0] = gScale;
    this.leafValues[1] = hScale;
    const seq = this.start(KIND_QUANTIZE, 1);
    quantizeRange(c.gh, c.packed!, allRows ? null : c.rows, 0, mid, gScale, hScale, shift, seed);
    this.wait(seq);
  }

  close(): void {
    Atomics.store(this.ctrl, CTRL_SEQ, -1);
    Atomics.notify(this.ctrl, CTRL_SEQ);
    void this.worker.terminate();
  }
}
