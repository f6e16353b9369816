/**
 * Worker thread of the two-thread training engine: waits on the shared control block, runs its
 * share of the requested operation (histograms into its scratch buffer, partitions, gradients,
 * margin updates) over shared memory, signals completion. No messages in the hot path, only Atomics.
 */
import { workerData } from 'node:worker_threads';
import { logisticRange, squaredRange, type PosBuffer } from './hist-kernel';
import { runBinWorker, type BinWorkerData } from './bin-worker';
import {
  gatherRangeWith,
  histogramRangeWith,
  instantiateKernels,
  leafUpdateRangeWith,
  moveRangeWith,
  splitSumsRangeWith,
} from './wasm/wasm-kernels';
import {
  buildClaimedChunks,
  CtrlSlot,
  defaultLeftOf,
  FloatSlot,
  GatherArg,
  GatherField,
  HistArg,
  HistField,
  LeafField,
  LeavesArg,
  missingBinOf,
  MoveArg,
  OpKind,
  SplitField,
  TaskField,
  taskOffset,
  WorkerState,
} from './worker-protocol';

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
  Atomics.store(c, CtrlSlot.Alive, WorkerState.Running);
  try {
    serve();
  } catch (err) {
    // the main thread is blocked in Atomics.wait and cannot receive an 'error' event: flag it
    Atomics.store(c, CtrlSlot.Alive, WorkerState.Failed);
    Atomics.notify(c, CtrlSlot.Done);
    throw err;
  }
}

function histogram(t: number, start: number, end: number): void {
  const o = taskOffset(t);
  const p = d.pos[c[o + HistField.Buf]];
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
    c[o + HistField.Slot] * d.histSize,
  );
}

function serve(): void {
  let seen = 0;
  const S = d.rowStride;
  for (;;) {
    Atomics.wait(c, CtrlSlot.Seq, seen);
    const seq = Atomics.load(c, CtrlSlot.Seq);
    if (seq < 0) break;
    seen = seq;
    let n = c[CtrlSlot.NumTasks];
    const kind: OpKind = c[CtrlSlot.Kind];
    if (kind === OpKind.Hist) {
      d.scratch.fill(0, 0, c[HistArg.Slots] * d.histSize);
      if (c[HistArg.ChunkRows] > 0) {
        buildClaimedChunks(
          c,
          n,
          c[HistArg.ChunkRows],
          (t) => c[taskOffset(t) + TaskField.Start],
          (t) => c[taskOffset(t) + TaskField.End],
          histogram,
        );
        n = 0; // handled
      }
    }
    for (let t = 0; t < n; t++) {
      const o = taskOffset(t);
      const start = c[o + TaskField.Start];
      const end = c[o + TaskField.End];
      if (kind === OpKind.Hist) {
        histogram(t, start, end);
      } else if (kind === OpKind.Move) {
        const buf = c[o + SplitField.Buf];
        c[o + SplitField.LeftCount] =
          moveRangeWith(
            k,
            d.pos[buf],
            d.pos[1 - buf],
            S,
            c[MoveArg.PayloadWords],
            start,
            end,
            c[o + SplitField.Byte],
            c[o + SplitField.Bin],
            defaultLeftOf(c[o + SplitField.Default]),
            missingBinOf(c[o + SplitField.Default]),
            start,
            end - 1,
          ) - start;
      } else if (kind === OpKind.Logistic) {
        logisticRange(d.margin, d.label, d.weight, d.gh, start, end, d.scratch, 0);
      } else if (kind === OpKind.Squared) {
        squaredRange(d.margin, d.label, d.weight, d.gh, start, end, d.scratch, 0);
      } else if (kind === OpKind.Gather) {
        const p = d.pos[c[o + GatherField.Buf]];
        gatherRangeWith(
          k,
          p.perm,
          d.gh,
          p.pay,
          d.stride,
          start,
          end,
          d.leafValues[FloatSlot.GatherGScale],
          d.leafValues[FloatSlot.GatherHScale],
          c[GatherArg.Shift],
          c[GatherArg.Seed],
        );
      } else if (kind === OpKind.AddLeaves) {
        const v = 2 * c[o + LeafField.ValueIndex];
        leafUpdateRangeWith(
          k,
          d.margin,
          d.pos[c[o + LeafField.Buf]].perm,
          d.side,
          c[o + LeafField.Routed] === 1,
          d.leafValues[v],
          d.leafValues[v + 1],
          c[LeavesArg.Outputs],
          c[LeavesArg.Output],
          start,
          end,
        );
      } else if (kind === OpKind.SplitSums) {
        const p = d.pos[c[o + SplitField.Buf]];
        splitSumsRangeWith(
          k,
          p.perm,
          p.bins,
          S,
          c[o + SplitField.Byte],
          c[o + SplitField.Bin],
          defaultLeftOf(c[o + SplitField.Default]),
          missingBinOf(c[o + SplitField.Default]),
          d.gh,
          start,
          end,
          d.scratch,
          4 * t,
          d.side,
        );
      }
    }
    Atomics.store(c, CtrlSlot.Done, seq);
    Atomics.notify(c, CtrlSlot.Done);
  }
}
