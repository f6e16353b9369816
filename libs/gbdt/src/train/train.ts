/**
 * Public training entry points. `train` may use worker threads (nthread > 1 on large data) and
 * returns a Promise; `trainSync` runs on the calling thread only. Both give the same model for the
 * same parameters and data (histogram sums are accumulated in float64 in a fixed order per thread
 * and merged in a fixed order, so thread count does not change the trees beyond float rounding).
 */
import type { Dataset } from '../data/dataset';
import type { GbdtModel } from '../model/model.types';
import { runBoosting } from './booster';
import { resolveParams, type GbdtParams } from './params';

export interface IterationInfo {
  /** 0-based boosting round just finished. */
  iteration: number;
  /** Metric per validation set name, e.g. { valid: 0.83 }. */
  evals: Record<string, number>;
}

export interface TrainOptions {
  /** Validation sets evaluated after every round; early stopping watches the last one. */
  valid?: { name: string; data: Dataset }[];
  /** Called after every round; return true to stop training. */
  onIteration?: (info: IterationInfo) => void | boolean;
}

export interface TrainResult {
  model: GbdtModel;
  /** 0-based round with the best validation metric (the last round without validation sets). */
  bestIteration: number;
  /** Metric values per validation set name, one per round trained. */
  history: Record<string, number[]>;
}

export async function train(
  params: Partial<GbdtParams> | Record<string, unknown>,
  data: Dataset,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const resolved = resolveParams(params);
  return runBoosting(resolved, data, options, resolved.nthread === 0 ? 2 : resolved.nthread);
}

export function trainSync(
  params: Partial<GbdtParams> | Record<string, unknown>,
  data: Dataset,
  options: TrainOptions = {},
): TrainResult {
  return runBoosting(resolveParams(params), data, options, 1);
}
