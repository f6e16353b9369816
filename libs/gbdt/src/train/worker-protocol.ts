/**
 * The control block the calling thread and the training worker share: an Int32Array with a header
 * (CtrlSlot) and up to MAX_TASKS task records of TASK_INTS ints each, whose fields depend on the
 * operation (OpKind). The calling thread writes the tasks and the arguments, bumps CtrlSlot.Seq and
 * notifies; the worker runs its share and stores the same number in CtrlSlot.Done. Float arguments
 * travel in a second shared Float64Array (FloatSlot), results in the worker's scratch buffer.
 */

/** Header slots. */
export enum CtrlSlot {
  /** Request number; -1 asks the worker to exit. */
  Seq = 0,
  /** The last request the worker finished. */
  Done = 1,
  NumTasks = 2,
  /** OpKind of the request. */
  Kind = 3,
  /** Per-operation arguments (see HistArg, MoveArg, GatherArg, LeavesArg). */
  Arg0 = 5,
  Arg1 = 6,
  /** WorkerState. */
  Alive = 7,
  /** Next unclaimed row chunk (dynamic histogram scheduling, buildClaimedChunks). */
  NextChunk = 8,
  /** First int of task record 0. */
  Tasks = 10,
}

export enum WorkerState {
  NotStarted = 0,
  Running = 1,
  /** Its loop threw (the error text is in its stderr). */
  Failed = -1,
}

export enum OpKind {
  Hist = 0,
  Move = 2,
  Logistic = 3,
  Squared = 4,
  AddLeaves = 5,
  Gather = 6,
  SplitSums = 7,
}

/** Ints per task record. */
export const TASK_INTS = 8;
/** Task records in the block; longer batches go in chunks of this many. */
export const MAX_TASKS = 64;
export const CTRL_INTS = CtrlSlot.Tasks + MAX_TASKS * TASK_INTS;

/** Fields every task record starts with: the worker's rows [Start, End) of the task's range. */
export enum TaskField {
  Start = 0,
  End = 1,
}

/** OpKind.Hist: position buffer and the worker's scratch histogram slot of the task. */
export enum HistField {
  Buf = 2,
  Slot = 3,
}
export enum HistArg {
  /** Rows per claimed chunk when both threads claim chunks (quantized histograms), 0 for fixed halves. */
  ChunkRows = CtrlSlot.Arg0,
  /** Distinct histograms of the batch: scratch slots the worker zeroes. */
  Slots = CtrlSlot.Arg1,
}

/** OpKind.Move and OpKind.SplitSums: the split, and for a move the task's index and its left-row count (the worker's answer). */
export enum SplitField {
  /** Byte of the split feature within a row. */
  Byte = 2,
  Bin = 3,
  /** The default direction and missing bin, as encodeDefault gives them. */
  Default = 4,
  Buf = 5,
  TaskIndex = 6,
  LeftCount = 7,
}
export enum MoveArg {
  /** Payload words moved with each row (0: bins and row indices only). */
  PayloadWords = CtrlSlot.Arg0,
}

/** OpKind.Gather. */
export enum GatherField {
  Buf = 2,
}
export enum GatherArg {
  Shift = CtrlSlot.Arg0,
  Seed = CtrlSlot.Arg1,
}

/** OpKind.AddLeaves: the leaf's pair of values in FloatSlot, its buffer, and whether it is a routed split (1). */
export enum LeafField {
  ValueIndex = 2,
  Buf = 3,
  Routed = 4,
}
export enum LeavesArg {
  /** Outputs per row and the output being updated. */
  Outputs = CtrlSlot.Arg0,
  Output = CtrlSlot.Arg1,
}

/** The float side channel: the gather's quantization scales; for AddLeaves, leaf i's values at 2i and 2i + 1. */
export enum FloatSlot {
  GatherGScale = 0,
  GatherHScale = 1,
}
export const FLOAT_SLOTS = 2 * MAX_TASKS;

/** Where task record i starts in the block. */
export function taskOffset(i: number): number {
  return CtrlSlot.Tasks + i * TASK_INTS;
}

/** The default direction and missing bin in one int: +(missingBin + 1) when missing values go left, else negative. */
export function encodeDefault(t: { defaultLeft: boolean; missingBin: number }): number {
  return t.defaultLeft ? t.missingBin + 1 : -(t.missingBin + 1);
}
export function defaultLeftOf(encoded: number): boolean {
  return encoded >= 0;
}
export function missingBinOf(encoded: number): number {
  return Math.abs(encoded) - 1;
}

/**
 * Dynamic scheduling of a histogram batch: both threads claim fixed-size row chunks of the tasks
 * from a shared counter and add them into their own buffer for that task (the caller's own
 * histograms or the worker's scratch slots). Only used for quantized histograms, whose integer sums
 * do not depend on which thread added which chunk.
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
    let k = Atomics.add(ctrl, CtrlSlot.NextChunk, 1);
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
