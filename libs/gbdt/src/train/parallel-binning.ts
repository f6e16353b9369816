/**
 * Binning before the first tree (thresholds, column bins, the first position buffer) split between
 * the calling thread and a short-lived worker: features [0, F / 2) here and [F / 2, F) there for
 * the thresholds and column bins, then rows by halves for the position buffer (whole rows per
 * thread, so the two never write the same cache line). Every value is computed exactly as the
 * single-thread path computes it, so the result does not depend on the thread count.
 */
import { Worker } from 'node:worker_threads';
import { BIN_ALIVE, BIN_GO, BIN_PHASE, binFeatures, type BinWorkerData } from './bin-worker';
import { createBinMapper, type BinMapper } from './binning';
import { sharedFloat32, sharedInt32 } from './position-buffers';
import { histWorkerScript } from './training-ops';
import { fillPositionRange, type PosBuffer } from './hist-kernel';

const START_TIMEOUT_MS = 60_000;

export interface BinningJob {
  columns: Float32Array[];
  maxBin: number;
  sample: Int32Array | undefined;
  /** Column-major bins out (shared memory for the parallel path). */
  colBins: Uint8Array;
  /** Buffer 0 of the position buffers, filled with every row in order. */
  pos: PosBuffer;
  rowStride: number;
  binCol: Int32Array;
}

/** Bins on this thread alone. */
export function binSerial(job: BinningJob): BinMapper {
  const F = job.columns.length;
  const N = F > 0 ? job.columns[0].length : 0;
  const thresholds = binFeatures(job.columns, job.maxBin, job.sample, job.colBins, 0);
  fillPositionRange(job.pos.bins, job.pos.perm, job.colBins, N, F, job.rowStride, job.binCol, 0, N);
  return createBinMapper(thresholds);
}

/** Bins with a worker when `parallel` and the worker script exists (shared colBins and pos required), else serially. */
export function binAll(job: BinningJob, parallel: boolean): BinMapper {
  const script = parallel ? histWorkerScript() : undefined;
  const F = job.columns.length;
  if (script === undefined || F < 2 || !(job.colBins.buffer instanceof SharedArrayBuffer)) return binSerial(job);
  const N = job.columns[0].length;
  const f0 = F >> 1;
  const ctrl = sharedInt32(3);
  const data: BinWorkerData = {
    mode: 'bin',
    ctrl,
    columns: job.columns.slice(f0),
    f0,
    numFeatures: F,
    numRows: N,
    maxBin: job.maxBin,
    sample: job.sample ?? null,
    colBins: job.colBins,
    thresholds: sharedFloat32((F - f0) * job.maxBin),
    counts: sharedInt32(F - f0),
    bins: job.pos.bins,
    perm: job.pos.perm,
    rowStride: job.rowStride,
    binCol: job.binCol,
  };
  const worker = new Worker(script, { workerData: data });
  worker.unref();
  try {
    const mine = binFeatures(job.columns.slice(0, f0), job.maxBin, job.sample, job.colBins, 0);
    waitPhase(ctrl, 1);
    const theirs = Array.from({ length: F - f0 }, (_, i) =>
      data.thresholds.slice(i * job.maxBin, i * job.maxBin + data.counts[i]),
    );
    // every column is binned: the worker fills rows [N / 2, N), this thread [0, N / 2)
    Atomics.store(ctrl, BIN_GO, 1);
    Atomics.notify(ctrl, BIN_GO);
    fillPositionRange(job.pos.bins, job.pos.perm, job.colBins, N, F, job.rowStride, job.binCol, 0, N >> 1);
    waitPhase(ctrl, 2);
    return createBinMapper([...mine, ...theirs]);
  } finally {
    void worker.terminate();
  }
}

function waitPhase(ctrl: Int32Array, phase: number): void {
  const since = Date.now();
  for (;;) {
    const now = Atomics.load(ctrl, BIN_PHASE);
    if (now >= phase) return;
    const alive = Atomics.load(ctrl, BIN_ALIVE);
    if (alive === -1) throw new Error('gbdt binning worker thread failed (see its error above)');
    if (alive === 0 && Date.now() - since > START_TIMEOUT_MS)
      throw new Error(`gbdt binning worker thread did not start within ${START_TIMEOUT_MS} ms`);
    Atomics.wait(ctrl, BIN_PHASE, now, 1000);
  }
}
