/**
 * Worker thread of the two-thread training engine: waits on the shared control block, runs its
 * share of the requested operation (histograms into its scratch buffer, partitions, gradients,
 * margin updates) over shared memory, signals completion. No messages in the hot path, only Atomics.
 */
import { workerData } from 'node:worker_threads';
import {
  buildClaimedChunks,
  CTRL_ALIVE,
  CTRL_ARG0,
  CTRL_ARG1,
  CTRL_DONE,
  CTRL_KIND,
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
import { runBinWorker, type BinWorkerData } from './bin-worker';
import {
  gatherRangeWith,
  histogramRangeWith,
  instantiateKernels,
  leafUpdateRangeWith,
  moveRangeWith,
  splitSumsRangeWith,
} from './wasm/wasm-kernels';

interface WorkerShared {
  pos: [PosBuffer, PosBuffer];
  rowStride: number;
  binCol: Int32Array;
  offsets: Int32Array;
  numFeatures: number;
  numRows: number;
  gh: Float32Array;
  scratch: Float64Array;
  ctrl: Int32Array;
  histSize: number;
  stride: number;
  margin: Float64Array;
  label: Float64Array;
  weight: Float64Array | null;
  leafValues: Float64Array;
  /** Side of each position in the last routed splits (see splitSumsRange). */
  side: Uint8Array;
  /** The kernels' memory when the position buffers and scratch are views on it (else null: JavaScript kernels). */
  wasmMemory: WebAssembly.Memory | null;
}

const d = workerData as WorkerShared;
const c = d.ctrl;
const k = d.wasmMemory ? instantiateKernels(d.wasmMemory) : null;
if ((workerData as BinWorkerData).mode === 'bin') {
  // the short-lived binning helper (parallel-binning.ts)
  runBinWorker(workerData as BinWorkerData);
} else {
  Atomics.store(c, CTRL_ALIVE, 1);
  try {
    serve();
  } catch (err) {
    // the main thread is blocked in Atomics.wait and cannot receive an 'error' event: flag it
    Atomics.store(c, CTRL_ALIVE, -1);
    Atomics.notify(c, CTRL_DONE);
    throw err;
  }
}

function histogram(t: number, start: number, end: number, base: number): void {
  const p = d.pos[c[CTRL_TASKS + t * TASK_INTS + 2]];
  histogramRangeWith(
    k,
    p.bins,
    d.rowStride,
    d.binCol,
    d.offsets,
    d.numFeatures,
    p.pay,
    d.stride,
    start,
    end,
    d.scratch,
    base,
  );
}

function serve(): void {
  let seen = 0;
  const S = d.rowStride;
  for (;;) {
    Atomics.wait(c, CTRL_SEQ, seen);
    const seq = Atomics.load(c, CTRL_SEQ);
    if (seq < 0) break;
    seen = seq;
    let n = c[CTRL_NTASKS];
    const kind = c[CTRL_KIND];
    if (kind === KIND_HIST) {
      d.scratch.fill(0, 0, c[CTRL_ARG1] * d.histSize);
      if (c[CTRL_ARG0] > 0) {
        buildClaimedChunks(
          c,
          n,
          c[CTRL_ARG0],
          (t) => c[CTRL_TASKS + t * TASK_INTS],
          (t) => c[CTRL_TASKS + t * TASK_INTS + 1],
          (t, start, end) => histogram(t, start, end, c[CTRL_TASKS + t * TASK_INTS + 3] * d.histSize),
        );
        n = 0; // handled
      }
    }
    for (let t = 0; t < n; t++) {
      const o = CTRL_TASKS + t * TASK_INTS;
      const start = c[o];
      const end = c[o + 1];
      if (kind === KIND_HIST) {
        histogram(t, start, end, c[o + 3] * d.histSize);
      } else if (kind === KIND_MOVE) {
        const buf = c[o + 5];
        c[o + 7] =
          moveRangeWith(
            k,
            d.pos[buf],
            d.pos[1 - buf],
            S,
            c[CTRL_ARG0],
            start,
            end,
            c[o + 2],
            c[o + 3],
            c[o + 4] >= 0,
            Math.abs(c[o + 4]) - 1,
            start,
            end - 1,
          ) - start;
      } else if (kind === KIND_LOGISTIC) {
        logisticRange(d.margin, d.label, d.weight, d.gh, start, end, d.scratch, 0);
      } else if (kind === KIND_SQUARED) {
        squaredRange(d.margin, d.label, d.weight, d.gh, start, end, d.scratch, 0);
      } else if (kind === KIND_GATHER) {
        const p = d.pos[c[o + 2]];
        gatherRangeWith(
          k,
          p.perm,
          d.gh,
          p.pay,
          d.stride,
          start,
          end,
          d.leafValues[0],
          d.leafValues[1],
          c[CTRL_ARG0],
          c[CTRL_ARG1],
        );
      } else if (kind === KIND_ADD_LEAVES) {
        const v = 2 * c[o + 2];
        leafUpdateRangeWith(
          k,
          d.margin,
          d.pos[c[o + 3]].perm,
          d.side,
          c[o + 4] === 1,
          d.leafValues[v],
          d.leafValues[v + 1],
          c[CTRL_ARG0],
          c[CTRL_ARG1],
          start,
          end,
        );
      } else if (kind === KIND_SPLIT_SUMS) {
        const p = d.pos[c[o + 5]];
        splitSumsRangeWith(
          k,
          p.perm,
          p.bins,
          S,
          c[o + 2],
          c[o + 3],
          c[o + 4] >= 0,
          Math.abs(c[o + 4]) - 1,
          d.gh,
          start,
          end,
          d.scratch,
          4 * t,
          d.side,
        );
      }
    }
    Atomics.store(c, CTRL_DONE, seq);
    Atomics.notify(c, CTRL_DONE);
  }
}
