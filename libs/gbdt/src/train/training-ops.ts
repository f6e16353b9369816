/**
 * The data-parallel operations of training — histogram batches, row partitions, gradients, margin
 * updates — on the calling thread alone (local-ops.ts) or split by rows between it and one worker
 * thread (parallel-ops.ts, hist.worker.ts). Results are identical either way except for float
 * summation order in histograms (each half is summed separately, then added).
 */
import fs from 'node:fs';
import path from 'node:path';
import { LocalOps } from './local-ops';
import { ParallelOps } from './parallel-ops';
import type { OpsContext, TrainingOps } from './training-ops.types';

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
