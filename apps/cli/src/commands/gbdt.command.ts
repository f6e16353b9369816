/**
 * `pulse gbdt train | predict | eval | tune`: the tree engine from the command line, in the manner of
 * the XGBoost / LightGBM CLIs. Data: CSV with a header (or LibSVM with --format libsvm); models: the
 * engine's JSON format, optionally also exported to ONNX. Errors on bad input name the file, line
 * and column and exit non-zero (main.ts prints them).
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import {
  defaultMetric,
  exportOnnx,
  modelFromJson,
  modelToJson,
  predict,
  predictionHeader,
  predictOnnx,
  train,
  writePredictionsCsv,
  ONNX_METADATA_KEYS,
  readOnnxMetadata,
  type Dataset,
  type GbdtModel,
  type Objective,
} from '@pulse/gbdt';
import { inferNumClass, labelRule, loadData } from './gbdt/gbdt-data';
import { evaluationMetrics } from './gbdt/gbdt-metrics';
import { checkParams, CliUsageError, parseFormat, parseObjective, parseParamsArg } from './gbdt/gbdt-options';
import { trainingProgress } from './gbdt/gbdt-progress';
import { registerGbdtTuneCommand } from './gbdt/gbdt-tune.command';

interface TrainArgs {
  data: string;
  label: string;
  group?: string;
  objective: string;
  valid?: string;
  params?: string;
  out: string;
  onnx?: string;
  format?: string;
}

interface PredictArgs {
  model: string;
  data: string;
  out: string;
  format?: string;
}

interface EvalArgs {
  model: string;
  data: string;
  label: string;
  group?: string;
  format?: string;
}

export function registerGbdtCommand(program: Command): void {
  const gbdt = program.command('gbdt').description('train, apply and evaluate gradient-boosted tree models');

  gbdt
    .command('train')
    .description('train a model on a CSV (or LibSVM) file')
    .requiredOption('--data <file>', 'training data')
    .option('--label <column>', 'label column (CSV)', 'label')
    .option('--group <column>', 'query id column for ranking (CSV); rows of a query contiguous')
    .requiredOption('--objective <name>', 'binary | multiclass | regression | lambdarank')
    .option('--valid <file>', 'validation data: evaluated every round (early stopping with early_stopping_rounds)')
    .option('--params <k=v,...>', 'training parameters, XGBoost names (eta=0.1,max_depth=6,...)')
    .requiredOption('--out <file>', 'where to write the model (JSON)')
    .option('--onnx <file>', 'also export the model as ONNX')
    .option('--format <format>', 'csv | libsvm', 'csv')
    .action((args: TrainArgs) => runTrain(args));

  gbdt
    .command('predict')
    .description('score a data file with a model (JSON or ONNX)')
    .requiredOption('--model <file>', 'model.json or model.onnx')
    .requiredOption('--data <file>', 'data to score (extra columns such as the label are ignored)')
    .requiredOption('--out <file>', 'predictions CSV: score | p0..pK-1 | prediction, one row per input row')
    .option('--format <format>', 'csv | libsvm', 'csv')
    .action((args: PredictArgs) => runPredict(args));

  gbdt
    .command('eval')
    .description('print the metrics of a model on labelled data as JSON')
    .requiredOption('--model <file>', 'model.json (or model.onnx)')
    .requiredOption('--data <file>', 'labelled data')
    .option('--label <column>', 'label column (CSV)', 'label')
    .option('--group <column>', 'query id column (ranking, CSV)')
    .option('--format <format>', 'csv | libsvm', 'csv')
    .action((args: EvalArgs) => runEval(args));

  registerGbdtTuneCommand(gbdt);
}

async function runTrain(args: TrainArgs): Promise<void> {
  const objective = parseObjective(args.objective);
  const format = parseFormat(args.format);
  const userParams = parseParamsArg(args.params);
  if ('objective' in userParams)
    throw new CliUsageError('--params: give the objective with --objective, not in --params');
  if ('num_class' in userParams && objective !== 'multi:softprob')
    throw new CliUsageError('--params: num_class applies only to --objective multiclass');
  // Fail fast on an unknown or invalid parameter, before reading any data.
  checkParams({ ...userParams, objective, ...(objective === 'multi:softprob' ? { num_class: 2 } : {}) });
  if (objective === 'rank:ndcg' && format === 'csv' && !args.group)
    throw new CliUsageError('--objective lambdarank needs --group <query id column>');

  const data = await loadData(args.data, {
    format,
    label: args.label,
    group: args.group,
    checkLabel: labelRule(objective),
  });
  if (objective === 'rank:ndcg' && !data.group)
    throw new CliUsageError(`${args.data}: ranking data needs query ids (qid:)`);
  const params: Record<string, number | string | boolean> = { ...userParams, objective };
  if (objective === 'multi:softprob') {
    const k = Math.max(2, inferNumClass(data));
    const given = userParams.num_class;
    if (typeof given === 'number' && given < k)
      throw new CliUsageError(`--params num_class=${given} but the labels go up to ${k - 1}`);
    params.num_class = given ?? k;
  }
  const resolved = checkParams(params);
  const valid = args.valid
    ? await loadData(args.valid, {
        format,
        label: args.label,
        group: args.group,
        features: format === 'csv' ? data.featureNames : undefined,
        numFeatures: format === 'libsvm' ? data.numFeatures : undefined,
        checkLabel: labelRule(objective, objective === 'multi:softprob' ? resolved.num_class : undefined),
      })
    : undefined;

  const metric = resolved.eval_metric || defaultMetric(objective);
  const progress = trainingProgress(resolved.num_boost_round);
  const started = Date.now();
  let result;
  try {
    result = await train(params, data, {
      valid: valid ? [{ name: 'valid', data: valid }] : undefined,
      onIteration: (info) => progress.round(info.iteration, info.evals, metric),
    });
  } finally {
    progress.stop();
  }
  fs.writeFileSync(args.out, modelToJson(result.model));
  if (args.onnx) fs.writeFileSync(args.onnx, exportOnnx(result.model));
  const summary: Record<string, unknown> = {
    model: args.out,
    ...(args.onnx ? { onnx: args.onnx } : {}),
    objective,
    rows: data.numRows,
    features: data.numFeatures,
    rounds: result.model.numRounds,
    bestIteration: result.bestIteration,
    seconds: Number(((Date.now() - started) / 1000).toFixed(3)),
  };
  if (valid) summary.valid = evaluationMetrics(result.model, valid, predict(result.model, valid));
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

interface LoadedModel {
  objective: Objective;
  numClass: number;
  featureNames: string[];
  /** predict()-style output: probabilities / values, row-major for multiclass. */
  score(data: Dataset): Promise<Float64Array>;
}

async function loadModel(file: string): Promise<LoadedModel> {
  const bytes = fs.readFileSync(file);
  const isJson = bytes.length > 0 && bytes.subarray(0, 64).toString('utf8').trimStart().startsWith('{');
  if (isJson) {
    let model: GbdtModel;
    try {
      model = modelFromJson(bytes.toString('utf8'));
    } catch (err) {
      throw new CliUsageError(`${file}: ${(err as Error).message}`);
    }
    return {
      objective: model.objective,
      numClass: model.numClass,
      featureNames: model.featureNames,
      score: async (d) => predict(model, d),
    };
  }
  const meta = readOnnxMetadata(bytes);
  const objective = meta[ONNX_METADATA_KEYS.objective] as Objective | undefined;
  const names = meta[ONNX_METADATA_KEYS.featureNames];
  if (!objective || !names)
    throw new CliUsageError(
      `${file}: neither a JSON model nor an ONNX model exported by pulse (no pulse.objective metadata)`,
    );
  const numClass = Number(meta[ONNX_METADATA_KEYS.numClass] ?? '1');
  return {
    objective,
    numClass,
    featureNames: JSON.parse(names) as string[],
    score: async (d) => {
      const { values, numCols } = await predictOnnx(bytes, d);
      // Binary classifiers output [P(0), P(1)]: keep P(1), as predict() does.
      if (objective === 'binary:logistic' && numCols === 2)
        return Float64Array.from({ length: d.numRows }, (_, r) => values[r * 2 + 1]);
      return Float64Array.from(values);
    },
  };
}

async function runPredict(args: PredictArgs): Promise<void> {
  const format = parseFormat(args.format);
  const model = await loadModel(args.model);
  const data = await loadData(args.data, {
    format,
    features: format === 'csv' ? model.featureNames : undefined,
    numFeatures: format === 'libsvm' ? model.featureNames.length : undefined,
  });
  const scores = await model.score(data);
  await writePredictionsCsv(args.out, predictionHeader(model.objective, model.numClass), scores);
  process.stderr.write(`wrote ${data.numRows} predictions to ${args.out}\n`);
}

async function runEval(args: EvalArgs): Promise<void> {
  const format = parseFormat(args.format);
  const model = await loadModel(args.model);
  if (model.objective === 'rank:ndcg' && format === 'csv' && !args.group)
    throw new CliUsageError('a ranking model needs --group <query id column>');
  const data = await loadData(args.data, {
    format,
    label: args.label,
    group: args.group,
    features: format === 'csv' ? model.featureNames : undefined,
    numFeatures: format === 'libsvm' ? model.featureNames.length : undefined,
    checkLabel: labelRule(model.objective, model.objective === 'multi:softprob' ? model.numClass : undefined),
  });
  const metrics = evaluationMetrics(model, data, await model.score(data));
  process.stdout.write(`${JSON.stringify(metrics, null, 2)}\n`);
}
