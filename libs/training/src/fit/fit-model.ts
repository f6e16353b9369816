import {
  createDataset,
  train,
  tune,
  type Dataset,
  type EvalMetric,
  type GbdtModel,
  type ParamDistribution,
  type ParamValue,
  type SearchSpace,
} from '@pulse/gbdt';
import type { ModelSpec } from '@pulse/models';
import type { ExampleSet } from '../examples/example-set';
import type { TimeSplit } from '../split/time-split';

/** The engine's standard search space when a spec's tuning names none. */
export const DEFAULT_SEARCH_SPACE: SearchSpace = {
  eta: { type: 'log', low: 0.02, high: 0.3 },
  max_depth: { type: 'int', low: 3, high: 8 },
  min_child_weight: { type: 'log', low: 1, high: 30 },
  subsample: { type: 'float', low: 0.6, high: 1 },
  colsample_bytree: { type: 'float', low: 0.5, high: 1 },
  lambda: { type: 'log', low: 0.3, high: 10 },
};
const LOG_SCALED = new Set(['eta', 'lambda', 'alpha', 'min_child_weight', 'gamma']);
const INTEGER = new Set(['max_depth', 'num_leaves', 'max_bin', 'min_data_in_leaf']);

export interface FitResult {
  readonly model: GbdtModel;
  /** The parameters of the final model (spec's, tuned ones, and the rounds kept by early stopping). */
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly bestIteration: number;
  readonly validationHistory: readonly number[];
  readonly tuning?: { readonly trials: number; readonly bestScore: number; readonly metric: string };
}

export function objectiveOf(spec: ModelSpec): Record<string, ParamValue> {
  switch (spec.task) {
    case 'binary':
      return { objective: 'binary:logistic', eval_metric: 'logloss' };
    case 'multiclass':
      return { objective: 'multi:softprob', num_class: spec.classes.length, eval_metric: 'mlogloss' };
    case 'regression':
      return { objective: 'reg:squarederror' };
    case 'ranking':
      return { objective: 'rank:ndcg' };
  }
}

export function datasetOf(examples: ExampleSet, rows: ArrayLike<number>): Dataset {
  return createDataset({
    columns: examples.columns(rows),
    label: examples.labels(rows),
    featureNames: [...examples.featureNames],
  });
}

/**
 * Trains on the training split with early stopping on the validation split; with a tuning budget,
 * first searches the parameters by cross-validation on the training split. Deterministic for the
 * spec's seed: the same data gives the same model, wherever it runs.
 */
export async function fitModel(
  spec: ModelSpec,
  examples: ExampleSet,
  split: TimeSplit,
  onProgress?: (share: number, phase: string) => void,
): Promise<FitResult> {
  const trainSet = datasetOf(examples, split.train);
  const validSet = datasetOf(examples, split.validation);
  let params: Record<string, ParamValue> = { seed: 0, nthread: 2, ...(spec.params ?? {}), ...objectiveOf(spec) };
  let tuning: FitResult['tuning'];
  if (spec.tuning) {
    const space: SearchSpace = spec.tuning.space
      ? Object.fromEntries(Object.entries(spec.tuning.space).map(([k, [low, high]]) => [k, distribution(k, low, high)]))
      : DEFAULT_SEARCH_SPACE;
    const result = await tune({
      data: trainSet,
      baseParams: params,
      space,
      budget: { trials: spec.tuning.trials, maxRounds: spec.tuning.maxRounds },
      cv: { holdout: 0.2 },
      seed: Number(params.seed) || 0,
      onTrial: (t) => onProgress?.((t.number + 1) / (spec.tuning!.trials + 1), 'tuning'),
    });
    params = { ...params, ...result.bestParams, num_boost_round: spec.tuning.maxRounds };
    tuning = { trials: result.trials.length, bestScore: result.best.score, metric: result.metric };
  }
  const rounds = Number(params.num_boost_round ?? 100);
  const result = await train(params, trainSet, {
    valid: [{ name: 'validation', data: validSet }],
    onIteration: ({ iteration }) => {
      if (iteration % 10 === 0) onProgress?.(iteration / rounds, 'training');
    },
  });
  const history = result.history['validation'] ?? [];
  return {
    model: result.model,
    params: { ...params, best_iteration: result.bestIteration, eval_metric: (params.eval_metric as EvalMetric) ?? '' },
    bestIteration: result.bestIteration,
    validationHistory: history,
    tuning,
  };
}

function distribution(name: string, low: number, high: number): ParamDistribution {
  if (INTEGER.has(name)) return { type: 'int', low, high };
  return LOG_SCALED.has(name) && low > 0 ? { type: 'log', low, high } : { type: 'float', low, high };
}
