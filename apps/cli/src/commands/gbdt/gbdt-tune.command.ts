// `pulse gbdt tune`: hyperparameter search from the command line (see tune() in @pulse/gbdt).
import fs from 'node:fs';
import type { Command } from 'commander';
import { resolveParams, tune, type EvalMetric, type ParamDistribution, type SearchSpace } from '@pulse/gbdt';
import { inferNumClass, labelRule, loadData } from './gbdt-data';
import { checkParams, CliUsageError, parseFormat, parseObjective, parseParamsArg } from './gbdt-options';

interface TuneArgs {
  sampler: 'tpe' | 'random';
  data: string;
  label: string;
  group?: string;
  objective: string;
  params?: string;
  space?: string;
  trials: string;
  maxRounds: string;
  folds?: string;
  holdout?: string;
  metric?: string;
  seed: string;
  pruning: boolean;
  out?: string;
  format?: string;
}

/** Used when --space is not given: the parameters that matter most, over usual ranges. */
export const DEFAULT_SPACE =
  'eta=log:0.01:0.3,max_depth=int:3:10,min_child_weight=log:0.5:20,subsample=float:0.5:1,colsample_bytree=float:0.5:1,lambda=log:0.1:10';

export function registerGbdtTuneCommand(gbdt: Command): void {
  gbdt
    .command('tune')
    .description('search hyperparameters by cross-validation (TPE or random, with successive-halving pruning)')
    .requiredOption('--data <file>', 'training data')
    .option('--label <column>', 'label column (CSV)', 'label')
    .option('--group <column>', 'query id column (ranking, CSV)')
    .requiredOption('--objective <name>', 'binary | multiclass | regression | lambdarank')
    .option('--params <k=v,...>', 'fixed parameters')
    .option('--space <spec>', 'name=float:lo:hi | int:lo:hi | log:lo:hi | choice:a|b|c, comma-separated', DEFAULT_SPACE)
    .option('--trials <n>', 'number of trials', '20')
    .option('--max-rounds <n>', 'boosting rounds per trial (early stopping may use fewer)', '200')
    .option('--folds <k>', 'k-fold cross-validation (default 3)')
    .option('--holdout <fraction>', 'a single holdout split instead of k folds')
    .option('--metric <name>', 'validation metric (auc, logloss, mlogloss, rmse, ndcg@k, ...)')
    .option('--seed <n>', 'seed', '0')
    .option('--sampler <name>', 'tpe | random', 'tpe')
    .option('--no-pruning', 'train every trial to the end')
    .option('--out <file>', 'write the best parameters (JSON) here')
    .option('--format <format>', 'csv | libsvm', 'csv')
    .action((args: TuneArgs) => runTune(args));
}

export function parseSpace(text: string): SearchSpace {
  const space: SearchSpace = {};
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(float|int|log|choice):(.+)$/.exec(item);
    if (!m) throw new CliUsageError(`--space: "${item}" is not name=float:lo:hi, int:lo:hi, log:lo:hi or choice:a|b`);
    const [, name, type, rest] = m;
    let d: ParamDistribution;
    if (type === 'choice') {
      d = {
        type,
        values: rest
          .split('|')
          .map((v) =>
            v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) && v !== '' ? Number(v) : v,
          ),
      };
    } else {
      const bounds = rest.split(':').map(Number);
      if (bounds.length !== 2 || bounds.some((b) => !Number.isFinite(b)))
        throw new CliUsageError(`--space: "${item}" needs two numeric bounds lo:hi`);
      d = { type: type as 'float' | 'int' | 'log', low: bounds[0], high: bounds[1] };
    }
    space[name] = d;
  }
  return space;
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliUsageError(`${name} must be a positive integer, got "${value}"`);
  return n;
}

async function runTune(args: TuneArgs): Promise<void> {
  const objective = parseObjective(args.objective);
  const format = parseFormat(args.format);
  const fixed = parseParamsArg(args.params);
  const space = parseSpace(args.space ?? DEFAULT_SPACE);
  if (args.folds && args.holdout) throw new CliUsageError('give either --folds or --holdout, not both');
  const cv = args.holdout ? { holdout: Number(args.holdout) } : { folds: positiveInt(args.folds ?? '3', '--folds') };
  if (objective === 'rank:ndcg' && format === 'csv' && !args.group)
    throw new CliUsageError('--objective lambdarank needs --group <query id column>');
  checkParams({ ...fixed, objective, ...(objective === 'multi:softprob' ? { num_class: 2 } : {}) });
  for (const [name, d] of Object.entries(space)) {
    // Only the name is checked here: an unknown one fails now, not after the data is read.
    try {
      resolveParams({ [name]: d.type === 'choice' ? d.values[0] : d.low });
    } catch (err) {
      if ((err as Error).message.startsWith('unknown parameter'))
        throw new CliUsageError(`--space: ${(err as Error).message}`);
    }
  }
  if (args.sampler !== 'tpe' && args.sampler !== 'random')
    throw new CliUsageError(`--sampler must be tpe or random, got "${args.sampler}"`);

  const data = await loadData(args.data, {
    format,
    label: args.label,
    group: args.group,
    checkLabel: labelRule(objective),
  });
  const baseParams = {
    ...fixed,
    objective,
    ...(objective === 'multi:softprob' ? { num_class: Math.max(2, inferNumClass(data)) } : {}),
  };
  const result = await tune({
    data,
    baseParams,
    space,
    metric: args.metric as EvalMetric | undefined,
    budget: { trials: positiveInt(args.trials, '--trials'), maxRounds: positiveInt(args.maxRounds, '--max-rounds') },
    cv,
    seed: Number(args.seed),
    sampler: args.sampler,
    pruning: args.pruning ? {} : false,
    onTrial: (t) =>
      process.stderr.write(
        `trial ${t.number}: ${t.pruned ? 'pruned' : 'score'} ${t.score.toFixed(6)} rounds ${t.rounds} ${JSON.stringify(t.params)} (${t.seconds.toFixed(1)} s)\n`,
      ),
  });
  const summary = {
    metric: result.metric,
    direction: result.direction,
    best: result.best,
    bestParams: result.bestParams,
    trials: result.trials,
  };
  if (args.out) fs.writeFileSync(args.out, `${JSON.stringify(result.bestParams, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}
