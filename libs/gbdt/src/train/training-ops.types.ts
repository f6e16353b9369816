/** What the tree builder asks of the training operations (local-ops.ts, parallel-ops.ts), and their shared context. */
import type { PosBuffer } from './hist-kernel';
import type { KernelMemory } from './wasm/wasm-kernels';

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
