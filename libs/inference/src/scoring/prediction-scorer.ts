import type { PredictionInput } from '@pulse/contracts';
import type { CompiledModelSpec } from '@pulse/models';
import { ModelRefusedError } from '../loading/model-refused.error';
import { isFloat32Array, type ServableModel } from '../loading/servable-model';
import { riskOptionsFor } from '../risk/risk-defaults';
import { riskTierRule } from '../risk/risk-tier.registry';
import type { RiskOptions } from '../risk/risk-tier.types';
import { classOutcome } from './class-outcome';
import type { ModelInput, ScoredPrediction } from './scored-prediction.types';
import { DEFAULT_TOP_FACTORS, topFactors } from './top-factors';

export interface ScoreOptions {
  /** The alias the version serves under (recorded on the prediction). */
  readonly alias: string;
  /** How many TreeSHAP factors to report; 0 turns explanations off. Default DEFAULT_TOP_FACTORS. */
  readonly topFactors?: number;
  /** Overrides the model's risk defaults (MODEL_RISK_DEFAULTS). */
  readonly risk?: RiskOptions;
  /** Report the input vector with its staleness. Default true. */
  readonly includeInputs?: boolean;
}

const served = new WeakMap<ServableModel, CompiledModelSpec>();

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The version must read the spec's input vector and give its classes (checked once per pair). */
function checkServes(compiled: CompiledModelSpec, servable: ServableModel): void {
  if (served.get(servable) === compiled) return;
  const refuse = (message: string): never => {
    throw new ModelRefusedError('signature', servable.model, servable.version, message);
  };
  if (compiled.spec.name !== servable.model)
    refuse(`it is a version of "${servable.model}", the spec is "${compiled.spec.name}"`);
  if (compiled.spec.task !== servable.task) refuse(`its model is ${servable.task}, the spec ${compiled.spec.task}`);
  if (!sameList(compiled.featureNames, servable.featureNames))
    refuse(`its ${servable.numFeatures} inputs differ from the spec's ${compiled.featureNames.length}-input vector`);
  if (servable.classes.length > 0 && !sameList(compiled.spec.classes, servable.classes))
    refuse(`its classes (${servable.classes.join(', ')}) differ from the spec's (${compiled.spec.classes.join(', ')})`);
  served.set(servable, compiled);
}

function checkInput(input: ModelInput, F: number, where: string): void {
  if (input === null || typeof input !== 'object' || !isFloat32Array(input.vector))
    throw new TypeError(`${where}.vector must be a Float32Array`);
  if (input.vector.length !== F)
    throw new RangeError(`${where}.vector has ${input.vector.length} values, the model reads ${F}`);
  if (input.staleness !== undefined && input.staleness.length !== F)
    throw new RangeError(`${where}.staleness has ${input.staleness.length} values, the model reads ${F}`);
}

/**
 * Scores one row into a prediction's fields: score, label and class probabilities from the ONNX
 * session, the risk tier and its confidence, the top TreeSHAP factors from the tree model, and the
 * inputs with their staleness.
 */
export async function scorePrediction(
  compiled: CompiledModelSpec,
  servable: ServableModel,
  input: ModelInput,
  options: ScoreOptions,
): Promise<ScoredPrediction> {
  return (await scorePredictions(compiled, servable, [input], options))[0];
}

/** Scores many rows with one onnxruntime call; results in input order. */
export async function scorePredictions(
  compiled: CompiledModelSpec,
  servable: ServableModel,
  inputs: readonly ModelInput[],
  options: ScoreOptions,
): Promise<ScoredPrediction[]> {
  if (typeof options?.alias !== 'string' || options.alias === '')
    throw new TypeError('options.alias must be a non-empty string');
  const k = options.topFactors ?? DEFAULT_TOP_FACTORS;
  if (!Number.isInteger(k) || k < 0)
    throw new RangeError(`options.topFactors must be a non-negative integer, got ${k}`);
  if (!Array.isArray(inputs)) throw new TypeError('inputs must be an array');
  checkServes(compiled, servable);
  const rule = riskTierRule(servable.task);
  const risk = riskOptionsFor(servable.model, options.risk);
  rule.validate(servable.classes, risk);

  const F = servable.numFeatures;
  const n = inputs.length;
  inputs.forEach((input, i) => checkInput(input, F, `inputs[${i}]`));
  let rows: Float32Array;
  if (n === 1) rows = inputs[0].vector;
  else {
    rows = new Float32Array(n * F);
    for (let i = 0; i < n; i++) rows.set(inputs[i].vector, i * F);
  }
  const outputs = await servable.score(rows, n);
  const W = servable.outputWidth;
  const includeInputs = options.includeInputs ?? true;
  const results = new Array<ScoredPrediction>(n);
  for (let i = 0; i < n; i++) {
    const { vector, staleness } = inputs[i];
    const outcome = classOutcome(servable.task, servable.classes, outputs, i * W);
    const assessment = rule.assess(servable.classes, outcome.probabilities, risk);
    const explained = servable.task === 'multiclass' ? outcome.labelIndex : 0;
    const reported: PredictionInput[] = [];
    if (includeInputs) {
      const names = servable.featureNames;
      if (staleness === undefined)
        for (let f = 0; f < F; f++) reported.push({ name: names[f], value: vector[f], stalenessMs: null });
      else for (let f = 0; f < F; f++) reported.push({ name: names[f], value: vector[f], stalenessMs: staleness[f] });
    }
    results[i] = {
      modelVersion: servable.version,
      alias: options.alias,
      score: outcome.score,
      label: outcome.label,
      classProbabilities: outcome.classProbabilities,
      riskTier: assessment.tier,
      riskConfidence: assessment.confidence,
      topFactors: topFactors(servable, vector, explained, k),
      inputs: reported,
      fallback: false,
    };
  }
  return results;
}
