/**
 * Worker thread of the two-thread training engine: waits on the shared control block, runs its
 * share of the requested operation (histograms into its scratch buffer, partitions, gradients,
 * margin updates) over shared memory, signals completion. No messages in the hot path, only Atomics.
 */
import { workerData } from 'node:worker_threads';
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

interface WorkerShared {
  bins: RowBins;
  colBins: Uint8Array;
  numFeatures: number;
  numRows: number;
  gh: Float32Array;
  packed: Float64Array | null;
  rows: Int32Array;
  temp: Int32Array;
  scratch: Float64Array;
  ctrl: Int32Array;
  histSize: number;
  stride: number;
  margin: Float64Array;
  label: Float64Array;
  weight: Float64Array | null;
  leafValues: Float64Array;
}

const d = workerData as WorkerShared;
const c = d.ctrl;
Atomics.store(c, CTRL_ALIVE, 1);
try {
  serve();
} catch (err) {
  // the main thread is blocked in Atomics.wait and cannot receive an 'error' event: flag it
  Atomics.store(c, CTRL_ALIVE, -1);
  Atomics.notify(c, CTRL_DONE);
  throw err;
}

function serve(): void {
  let seen = 0;
  for (;;) {
    Atomics.wait(c, CTRL_SEQ, seen);
    const seq = Atomics.load(c, CTRL_SEQ);
    if (seq < 0) break;
    seen = seq;
    let n = c[CTRL_NTASKS];
    const kind = c[CTRL_KIND];
    if (kind === KIND_HIST && c[CTRL_ARG0] > 0) {
      const rows = c[CTRL_ALL_ROWS] === 1 ? null : d.rows;
      d.scratch.fill(0, 0, n * d.histSize);
      buildClaimedChunks(
        c,
        n,
        c[CTRL_ARG0],
        (t) => c[CTRL_TASKS + t * TASK_INTS],
        (t) => c[CTRL_TASKS + t * TASK_INTS + 1],
        (t, start, end) => buildHistogram(d.bins, d.numFeatures, d.gh, d.packed, rows, start, end, d.scratch, t * d.histSize, d.stride),
      );
      n = 0; // handled
    }
    for (let t = 0; t < n; t++) {
      const o = CTRL_TASKS + t * TASK_INTS;
      const start = c[o];
      const end = c[o + 1];
      if (kind === KIND_HIST) {
        const base = t * d.histSize;
        d.scratch.fill(0, base, base + d.histSize);
        buildHistogram(d.bins, d.numFeatures, d.gh, d.packed, c[CTRL_ALL_ROWS] === 1 ? null : d.rows, start, end, d.scratch, base, d.stride);
      } else if (kind === KIND_PARTITION) {
        c[o + 5] = partitionRange(d.rows, d.temp, d.colBins, d.numRows, start, end, c[o + 2], c[o + 3], c[o + 4] >= 0, Math.abs(c[o + 4]) - 1);
      } else if (kind === KIND_LOGISTIC) {
        logisticRange(d.margin, d.label, d.weight, d.gh, start, end);
      } else if (kind === KIND_SQUARED) {
        squaredRange(d.margin, d.label, d.weight, d.gh, start, end);
      } else if (kind === KIND_QUANTIZE) {
        quantizeRange(d.gh, d.packed!, c[CTRL_ALL_ROWS] === 1 ? null : d.rows, start, end, d.leafValues[0], d.leafValues[1], c[CTRL_ARG0], c[CTRL_ARG1]);
      } else if (kind === KIND_ADD_LEAVES) {
        addLeafRange(d.margin, d.rows, c[CTRL_ARG0], c[CTRL_ARG1], d.leafValues[c[o + 2]], start, end);
      }
    }
    Atomics.store(c, CTRL_DONE, seq);
    Atomics.notify(c, CTRL_DONE);
  }
}
