/**
 * The binning worker's side of parallel-binning.ts, run by hist.worker.ts in mode 'bin'. Imports
 * only import-free modules, so a compiled copy next to the worker loads on its own.
 */
import { binColumns, computeThresholds, createBinMapper } from './binning';
import { fillPositionRange } from './hist-kernel';

/** Shared control words of the binning worker. */
export const BIN_PHASE = 0;
export const BIN_GO = 1;
export const BIN_ALIVE = 2;

/** The data the worker gets (see hist.worker.ts, mode 'bin'). */
export interface BinWorkerData {
  mode: 'bin';
  ctrl: Int32Array;
  columns: Float32Array[];
  f0: number;
  numFeatures: number;
  numRows: number;
  maxBin: number;
  sample: Int32Array | null;
  colBins: Uint8Array;
  thresholds: Float32Array;
  counts: Int32Array;
  bins: Uint8Array;
  perm: Int32Array;
  rowStride: number;
  binCol: Int32Array;
}

/** Thresholds and column bins of features [f0, f0 + columns.length) (colBins indexed by absolute feature). */
export function binFeatures(
  columns: Float32Array[],
  maxBin: number,
  sample: Int32Array | undefined,
  colBins: Uint8Array,
  f0: number,
): Float32Array[] {
  const thresholds = computeThresholds(columns, maxBin, sample);
  const N = columns.length > 0 ? columns[0].length : 0;
  binColumns(columns, createBinMapper(thresholds), colBins.subarray(f0 * N), 0, columns.length);
  return thresholds;
}

/** The worker's side (called from hist.worker.ts). */
export function runBinWorker(d: BinWorkerData): void {
  const c = d.ctrl;
  Atomics.store(c, BIN_ALIVE, 1);
  try {
    const thresholds = binFeatures(d.columns, d.maxBin, d.sample ?? undefined, d.colBins, d.f0);
    thresholds.forEach((t, i) => {
      d.thresholds.set(t, i * d.maxBin);
      d.counts[i] = t.length;
    });
    Atomics.store(c, BIN_PHASE, 1);
    Atomics.notify(c, BIN_PHASE);
    while (Atomics.load(c, BIN_GO) === 0) Atomics.wait(c, BIN_GO, 0, 1000);
    fillPositionRange(
      d.bins,
      d.perm,
      d.colBins,
      d.numRows,
      d.numFeatures,
      d.rowStride,
      d.binCol,
      d.numRows >> 1,
      d.numRows,
    );
    Atomics.store(c, BIN_PHASE, 2);
    Atomics.notify(c, BIN_PHASE);
  } catch (err) {
    Atomics.store(c, BIN_ALIVE, -1);
    Atomics.notify(c, BIN_PHASE);
    throw err;
  }
}
