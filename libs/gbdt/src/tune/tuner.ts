/**
 * Budgeted hyperparameter search: `budget.trials` trials proposed by TPE (default) or random
 * sampling, each scored by k-fold cross-validation or a holdout with early stopping, and bad trials
 * pruned by successive halving. Reproducible for a seed (sampler, folds and training all seeded).
 *
 * Successive halving (asynchronous, as in ASHA): rungs at minRounds, minRounds*eta, ... below
 * maxRounds. While a trial trains its first fold, at each rung its best validation metric so far is
 * compared with what earlier trials reached at the same rung; unless it is within the best 1/eta of
 * them (the best half for eta = 2) it is stopped there and reported as pruned. Pruning starts once a
 * rung has `minTrials` earlier records. Surviving trials train every fold to the end (or until early
 * stopping); their score is the mean over folds of the validation metric at each fold's best round.
 */
import type { Dataset } from '../data/dataset';
import { defaultMetric, resolveParams, type EvalMetric } from '../train/params';
import { train } from '../train/train';
import { makeSplits, type CvSpec } from './cross-validation';
import { randomSampler, tpeSampler, type Sampler, type SamplerTrial } from './samplers';
import { validateSpace, type ParamValue, type SearchSpace } from './search-space';

export interface PruningOptions {
  /** First rung, in boosting rounds; default max(1, round(maxRounds / 8)). */
  minRounds?: number;
  /** Keep the best 1/reductionFactor at each rung; default 2 (the best half). */
  reductionFactor?: number;
  /** Records a rung needs before it prunes; default 3. */
  minTrials?: number;
}

export interface TuneOptions {
  data: Dataset;
  /** Fixed parameters (XGBoost names), including the objective (and num_class for multiclass). */
  baseParams: Record<string, ParamValue>;
  space: SearchSpace;
  /** Validation metric (the trainer's names: auc, logloss, mlogloss, rmse, ndcg@k, ...); default the objective's. */
  metric?: EvalMetric;
  /** Default: maximize for auc and ndcg, minimize otherwise. */
  direction?: 'maximize' | 'minimize';
  budget: { trials: number; maxRounds: number };
  /** Default { folds: 3 }. */
  cv?: CvSpec;
  /** Default 0. */
  seed?: number;
  /** Default 'tpe'. */
  sampler?: 'tpe' | 'random';
  /** Successive-halving pruning; default on with the defaults of PruningOptions; false = off. */
  pruning?: PruningOptions | false;
  /** Early stopping patience within each fold; default max(5, round(maxRounds / 10)); 0 = off. */
  earlyStoppingRounds?: number;
  /** Called after every trial. */
  onTrial?: (trial: TrialReport) => void;
}

export interface TrialReport {
  /** 0-based trial number. */
  number: number;
  /** The sampled parameters (baseParams not repeated). */
  params: Record<string, ParamValue>;
  /** Mean validation metric over folds; for a pruned trial, its first fold's best value at the rung it stopped. */
  score: number;
  /** Boosting rounds: mean best round over folds (pruned: rounds trained before stopping). */
  rounds: number;
  pruned: boolean;
  /** Per-fold scores (only the first fold for a pruned trial). */
  foldScores: number[];
  seconds: number;
}

export interface TuneResult {
  metric: EvalMetric;
  direction: 'maximize' | 'minimize';
  best: TrialReport;
  /** baseParams + the best trial's params + num_boost_round = its rounds: ready for `train`. */
  bestParams: Record<string, ParamValue>;
  trials: TrialReport[];
}

export async function tune(options: TuneOptions): Promise<TuneResult> {
  const { data, baseParams, space, budget } = options;
  validateSpace(space);
  if (!budget || !Number.isInteger(budget.trials) || budget.trials < 1)
    throw new RangeError(`budget.trials must be an integer >= 1, got ${budget?.trials}`);
  if (!Number.isInteger(budget.maxRounds) || budget.maxRounds < 1)
    throw new RangeError(`budget.maxRounds must be an integer >= 1, got ${budget.maxRounds}`);
  for (const name of Object.keys(space)) {
    if (name === 'num_boost_round' || name === 'eval_metric' || name === 'objective')
      throw new RangeError(`space.${name}: the tuner sets this itself`);
  }
  const base = resolveParams(baseParams);
  const metric = options.metric ?? (base.eval_metric || defaultMetric(base.objective));
  const direction = options.direction ?? (metric === 'auc' || metric.startsWith('ndcg') ? 'maximize' : 'minimize');
  if (direction !== 'maximize' && direction !== 'minimize')
    throw new RangeError(`direction must be 'maximize' or 'minimize', got ${String(direction)}`);
  const sign = direction === 'maximize' ? 1 : -1;
  const seed = options.seed ?? 0;
  const earlyStopping = options.earlyStoppingRounds ?? Math.max(5, Math.round(budget.maxRounds / 10));
  const splits = makeSplits(data, base.objective, options.cv ?? { folds: 3 }, seed);
  const sampler: Sampler =
    (options.sampler ?? 'tpe') === 'random'
      ? randomSampler(space, seed)
      : tpeSampler(space, seed, { budget: budget.trials });
  const rungs = pruningRungs(budget.maxRounds, options.pruning);
  const rungRecords: number[][] = rungs.map(() => []);
  const minTrials = options.pruning === false ? Infinity : (options.pruning?.minTrials ?? 3);
  const eta = options.pruning === false ? 2 : (options.pruning?.reductionFactor ?? 2);

  const trials: TrialReport[] = [];
  const history: SamplerTrial[] = [];
  for (let number = 0; number < budget.trials; number++) {
    const started = Date.now();
    const sampled = sampler.propose(history);
    const params = {
      ...baseParams,
      ...sampled,
      num_boost_round: budget.maxRounds,
      eval_metric: metric,
      early_stopping_rounds: earlyStopping,
      seed: baseParams.seed ?? seed,
    };
    const foldScores: number[] = [];
    const foldRounds: number[] = [];
    let pruned = false;
    for (let f = 0; f < splits.length && !pruned; f++) {
      let best = -Infinity;
      let rung = 0;
      const reached: number[] = [];
      const result = await train(params, splits[f].train, {
        valid: [{ name: 'valid', data: splits[f].valid }],
        onIteration: ({ iteration, evals }) => {
          best = Math.max(best, sign * evals.valid);
          if (f !== 0 || rung >= rungs.length || iteration + 1 !== rungs[rung]) return false;
          const earlier = rungRecords[rung];
          reached.push(best);
          const keep = earlier.length < minTrials || rankAmong(best, earlier) < Math.ceil((earlier.length + 1) / eta);
          rung++;
          if (!keep) {
            pruned = true;
            foldRounds.push(iteration + 1);
            foldScores.push(sign * best);
          }
          return !keep;
        },
      });
      reached.forEach((v, i) => rungRecords[i].push(v));
      if (!pruned) {
        foldScores.push(result.history.valid[result.bestIteration]);
        foldRounds.push(result.bestIteration + 1);
      }
    }
    const report: TrialReport = {
      number,
      params: sampled,
      score: mean(foldScores),
      rounds: Math.round(mean(foldRounds)),
      pruned,
      foldScores,
      seconds: (Date.now() - started) / 1000,
    };
    trials.push(report);
    history.push({ params: sampled, score: sign * report.score, pruned });
    options.onTrial?.(report);
  }
  const complete = trials.filter((t) => !t.pruned);
  const pool = complete.length > 0 ? complete : trials;
  const best = pool.reduce((a, b) => (sign * b.score > sign * a.score ? b : a));
  return {
    metric,
    direction,
    best,
    bestParams: { ...baseParams, ...best.params, num_boost_round: best.rounds },
    trials,
  };
}

/** Rung positions (rounds) for successive halving: minRounds * eta^i below maxRounds. */
export function pruningRungs(maxRounds: number, pruning: PruningOptions | false | undefined): number[] {
  if (pruning === false) return [];
  const eta = pruning?.reductionFactor ?? 2;
  if (!(eta > 1)) throw new RangeError(`pruning.reductionFactor must be > 1, got ${eta}`);
  const first = pruning?.minRounds ?? Math.max(1, Math.round(maxRounds / 8));
  if (!Number.isInteger(first) || first < 1)
    throw new RangeError(`pruning.minRounds must be an integer >= 1, got ${first}`);
  const rungs: number[] = [];
  for (let r = first; r < maxRounds; r = Math.max(r + 1, Math.round(r * eta))) rungs.push(r);
  return rungs;
}

/** 0-based rank of `value` among `others` (higher is better): how many are strictly better. */
function rankAmong(value: number, others: number[]): number {
  let better = 0;
  for (const o of others) if (o > value) better++;
  return better;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
