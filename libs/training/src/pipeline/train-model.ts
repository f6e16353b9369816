import { createHash } from 'node:crypto';
import type { FeatureRegistry } from '@pulse/features';
import {
  createDataset,
  exportOnnx,
  modelFromJson,
  modelToJson,
  predict,
  predictOnnx,
  type GbdtModel,
} from '@pulse/gbdt';
import { compileModelSpec, type ModelSignature, type ModelSpec } from '@pulse/models';
import { validateTrainingSet, type TrainingSetChecks } from '../checks/validate-training-set';
import { ArtifactMismatchError } from '../errors/training.errors';
import { evaluateModel } from '../evaluate/evaluate-model';
import type { Evaluation, GateVerdict } from '../evaluate/evaluation.types';
import { buildExamples } from '../examples/build-examples';
import type { EventStream } from '../examples/entity-groups';
import type { ExampleSet } from '../examples/example-set';
import { fitModel } from '../fit/fit-model';
import { evaluateGates, qualityGatesPassed, type ChampionScore } from '../gates/evaluate-gates';
import { buildModelReference, type ModelReferenceProfile } from '../reference/model-reference';
import { timeSplit } from '../split/time-split';

/** Rows of the test split stored with a version, so loaders can check an artifact reproduces its scores. */
export const TEST_SAMPLE_ROWS = 200;
/** Largest |ONNX − JSON| score difference a version may have on its test sample. */
export const ONNX_TOLERANCE = 1e-5;

export type TrainingPhase = 'building' | 'checking' | 'tuning' | 'training' | 'evaluating' | 'exporting';

export interface TrainingProgress {
  readonly phase: TrainingPhase;
  /** 0..1 over the whole run. */
  readonly progress: number;
  readonly message: string;
}

/** The current champion, for the champion/challenger gate. */
export interface ChampionModel {
  readonly version: number;
  readonly modelJson: string;
  readonly featureNames: readonly string[];
  /** Its recorded test metrics (used when it cannot be rescored on the candidate's inputs). */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface TrainModelOptions {
  readonly spec: ModelSpec;
  readonly registry: FeatureRegistry;
  /** The event log grouped by entity (a fresh iterable). */
  readonly events: EventStream;
  readonly watermarkMs: number;
  readonly fromMs?: number;
  readonly untilMs?: number;
  /** Parameter overrides (XGBoost names), e.g. from `--params eta=0.1`. */
  readonly params?: Readonly<Record<string, string | number>>;
  readonly oracle?: ReadonlyMap<string, number>;
  readonly champion?: ChampionModel;
  /** Code version recorded in the lineage (the package version and commit, when known). */
  readonly codeVersion?: string;
  readonly onProgress?: (p: TrainingProgress) => void;
  /**
   * Permutation test: shuffle the labels across examples (seeded) before splitting. The model then
   * learns nothing real, so its quality gates must fail: a check that they bite, and a null reference.
   */
  readonly permuteLabels?: number;
}

export interface TestSample {
  readonly rows: number[][];
  readonly scores: number[][];
}

/** A trained, evaluated and exported model: everything the registry stores for a version. */
export interface TrainedCandidate {
  readonly model: string;
  readonly specVersion: number;
  readonly task: ModelSpec['task'];
  readonly gbdt: GbdtModel;
  readonly modelJson: string;
  readonly onnx: Uint8Array;
  readonly signature: ModelSignature;
  readonly evaluation: Evaluation;
  readonly gates: readonly GateVerdict[];
  readonly gatesPassed: boolean;
  /** Whether it beat the champion by the spec's margin (or there is none): then it becomes champion. */
  readonly promote: boolean;
  readonly params: Readonly<Record<string, unknown>>;
  readonly lineage: Readonly<Record<string, unknown>>;
  readonly checks: TrainingSetChecks;
  readonly testSample: TestSample;
  /** The training split's distribution per feature and of the score, which monitoring compares live data with. */
  readonly referenceProfile: ModelReferenceProfile;
  /** sha256 of the version's deterministic contents: equal for equal data, spec and seed. */
  readonly contentSha256: string;
}

/**
 * The training pipeline: point-in-time examples from the log, split by time, checked (leakage,
 * rows, classes, missing values), fitted with early stopping (and tuning within the spec's budget),
 * evaluated on the test split, gated, exported to ONNX and checked against the JSON model.
 */
export async function trainModel(options: TrainModelOptions): Promise<TrainedCandidate> {
  const spec = withParams(options.spec, options.params);
  const report = (phase: TrainingPhase, progress: number, message: string) =>
    options.onProgress?.({ phase, progress, message });
  const compiled = compileModelSpec(spec, options.registry);

  report('building', 0, 'building point-in-time examples');
  const built = await buildExamples({
    compiled,
    registry: options.registry,
    events: options.events,
    watermarkMs: options.watermarkMs,
    fromMs: options.fromMs,
    untilMs: options.untilMs,
    onProgress: (n) => report('building', 0, `${n} events replayed`),
  });
  const examples = built.examples;
  if (options.permuteLabels !== undefined) examples.permuteLabels(options.permuteLabels);
  report('checking', 0.4, `${examples.size} examples (${built.censored} censored)`);
  const split = timeSplit(examples, spec.split, spec.horizonMs);
  const checks = validateTrainingSet(spec, examples, split, {
    columns: built.leakingColumns,
    probes: built.leakageProbes,
  });

  const fit = await fitModel(spec, examples, split, (share, phase) =>
    report(phase as TrainingPhase, 0.45 + 0.4 * share, `${phase} ${(100 * share).toFixed(0)} %`),
  );
  report('evaluating', 0.85, 'evaluating on the test split');
  const evaluation = evaluateModel(spec, fit.model, examples, split, { oracle: options.oracle });
  const champion = options.champion ? championScore(spec, options.champion, examples, split.test) : undefined;
  const gates = evaluateGates(spec, evaluation, champion);
  const gatesPassed = qualityGatesPassed(gates);

  report('exporting', 0.95, 'exporting ONNX and checking it against the JSON model');
  const modelJson = modelToJson(fit.model);
  const onnx = exportOnnx(fit.model, {
    inputName: compiled.signature.inputName,
    docString: `${spec.name} (spec v${spec.version})`,
  });
  const testSample = await checkedTestSample(fit.model, onnx, examples, split.test);
  const referenceProfile = buildModelReference(
    spec,
    fit.model,
    examples,
    Int32Array.from([...split.validation, ...split.test]),
  );

  const lineage = {
    watermark: new Date(options.watermarkMs).toISOString(),
    from: options.fromMs === undefined ? null : new Date(options.fromMs).toISOString(),
    until: options.untilMs === undefined ? null : new Date(options.untilMs).toISOString(),
    eventsReplayed: built.eventsSeen,
    entities: built.entities,
    rows: { ...evaluation.rows, censored: built.censored, purged: split.purged },
    validationStart: new Date(split.validationStartMs).toISOString(),
    testStart: new Date(split.testStartMs).toISOString(),
    viewVersions: Object.fromEntries(compiled.views.map((v) => [v.name, v.version])),
    specVersion: spec.version,
    seed: fit.params.seed ?? 0,
    codeVersion: options.codeVersion ?? 'unknown',
    leakageProbes: built.leakageProbes,
    ...(options.permuteLabels !== undefined ? { permutedLabels: options.permuteLabels } : {}),
  };
  const contentSha256 = createHash('sha256')
    .update(
      JSON.stringify({
        modelJson,
        signature: compiled.signature,
        metrics: evaluation.metrics,
        params: fit.params,
        lineage,
      }),
    )
    .digest('hex');
  report('exporting', 1, 'done');
  return {
    model: spec.name,
    specVersion: spec.version,
    task: spec.task,
    gbdt: fit.model,
    modelJson,
    onnx,
    signature: compiled.signature,
    evaluation,
    gates,
    gatesPassed,
    promote: gatesPassed && gates.find((g) => g.name === 'champion')?.passed === true,
    params: { ...fit.params, ...(fit.tuning ? { tuning: fit.tuning } : {}) },
    lineage,
    checks,
    testSample,
    referenceProfile,
    contentSha256,
  };
}

function withParams(spec: ModelSpec, overrides?: Readonly<Record<string, string | number>>): ModelSpec {
  if (!overrides || Object.keys(overrides).length === 0) return spec;
  const parsed = Object.fromEntries(
    Object.entries(overrides).map(([k, v]) => [
      k,
      typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v,
    ]),
  );
  return { ...spec, params: { ...(spec.params ?? {}), ...parsed } };
}

function championScore(
  spec: ModelSpec,
  champion: ChampionModel,
  examples: ExampleSet,
  test: Int32Array,
): ChampionScore {
  const metric = spec.gates.champion.metric;
  const same =
    champion.featureNames.length === examples.featureNames.length &&
    champion.featureNames.every((n, i) => n === examples.featureNames[i]);
  if (!same) return { version: champion.version, value: champion.metrics[metric] ?? NaN, sameTestWindow: false };
  const rescored = evaluateModel(spec, modelFromJson(champion.modelJson), examples, {
    train: test,
    validation: test,
    test,
    validationStartMs: 0,
    testStartMs: 0,
    purged: 0,
  });
  return { version: champion.version, value: rescored.metrics[metric], sameTestWindow: true };
}

/** The first test rows with the JSON model's scores; refuses the export when ONNX differs by more than the tolerance. */
async function checkedTestSample(
  model: GbdtModel,
  onnx: Uint8Array,
  examples: ExampleSet,
  test: Int32Array,
): Promise<TestSample> {
  const rows = test.subarray(0, Math.min(TEST_SAMPLE_ROWS, test.length));
  const data = createDataset({ columns: examples.columns(rows), featureNames: [...examples.featureNames] });
  const json = predict(model, data);
  const fromOnnx = await predictOnnx(onnx, data);
  const K = json.length / rows.length;
  let worst = 0;
  const scores: number[][] = [];
  for (let i = 0; i < rows.length; i++) {
    const row: number[] = [];
    for (let k = 0; k < K; k++) {
      // a binary classifier's ONNX output holds [P(0), P(1)]; the JSON model gives P(1)
      const o =
        fromOnnx.numCols === K
          ? fromOnnx.values[i * K + k]
          : fromOnnx.values[i * fromOnnx.numCols + fromOnnx.numCols - K + k];
      worst = Math.max(worst, Math.abs(o - json[i * K + k]));
      row.push(json[i * K + k]);
    }
    scores.push(row);
  }
  if (!(worst <= ONNX_TOLERANCE)) throw new ArtifactMismatchError(worst);
  return { rows: Array.from(rows, (r) => Array.from(examples.row(r), (v) => (Number.isNaN(v) ? NaN : v))), scores };
}
