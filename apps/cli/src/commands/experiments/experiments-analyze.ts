// `pulse experiments analyze`: the data file's variants against the control, as JSON or a table.
import path from 'node:path';
import {
  analyzeExperiment,
  WEIGHT_TOLERANCE,
  type CorrectionName,
  type ExperimentAnalysis,
  type MetricType,
} from '@pulse/experiment-stats';
import { readExperimentData } from './experiments-data';

export interface AnalyzeCliOptions {
  data: string;
  control: string;
  weights?: Map<string, number>;
  metricType?: MetricType;
  covariate?: string;
  correction: CorrectionName;
  alpha: number;
  json: boolean;
}

/** The command's work: read, check the names, analyse. */
export function runAnalyze(options: AnalyzeCliOptions): ExperimentAnalysis {
  const data = readExperimentData(options.data, options);
  const file = path.basename(options.data);
  const names = data.variants.map((v) => v.name);
  if (!names.includes(options.control))
    throw new Error(`--control "${options.control}" is not a variant of ${file} (variants: ${names.join(', ')})`);
  return analyzeExperiment(data.variants, {
    control: options.control,
    // Without --metric-type: a 0/1 metric is a proportion, anything else a mean.
    metricType: options.metricType ?? (data.binary ? 'proportion' : 'mean'),
    weights: options.weights && weightsFor(options.weights, names, file),
    correction: options.correction,
    alpha: options.alpha,
    cuped: options.covariate !== undefined,
  });
}

/** --weights in the variants' order: one per variant of the file, none for another, summing to 1. */
function weightsFor(weights: Map<string, number>, names: readonly string[], file: string): number[] {
  for (const name of weights.keys())
    if (!names.includes(name))
      throw new Error(`--weights names "${name}", which has no rows in ${file} (variants: ${names.join(', ')})`);
  const missing = names.filter((n) => !weights.has(n));
  if (missing.length > 0)
    throw new Error(`--weights gives no weight for ${missing.map((n) => `"${n}"`).join(', ')} (variants of ${file})`);
  const total = [...weights.values()].reduce((s, w) => s + w, 0);
  if (Math.abs(total - 1) > WEIGHT_TOLERANCE) throw new Error(`--weights must sum to 1, got ${total}`);
  return names.map((n) => weights.get(n)!);
}
