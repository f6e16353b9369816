import type { FeatureRegistry } from '@pulse/features';
import type { ModelSpec } from '@pulse/models';
import {
  AliasConflictError,
  type AliasMoveResult,
  type ModelRegistryRepository,
  type ModelVersionRecord,
} from '@pulse/storage';
import {
  renderTrainingReport,
  trainModel,
  type ChampionModel,
  type TrainedCandidate,
  type TrainingProgress,
} from '@pulse/training';
import type { TrainingEventSource } from './event-log.source';

export const CHAMPION = 'champion';
export const CHALLENGER = 'challenger';

export interface RunTrainingJobOptions {
  readonly spec: ModelSpec;
  readonly featureRegistry: FeatureRegistry;
  readonly source: TrainingEventSource;
  /** Where the version is registered; absent: trained and evaluated only (e.g. the CLI on a file). */
  readonly registry?: ModelRegistryRepository;
  readonly params?: Readonly<Record<string, string | number>>;
  readonly fromMs?: number;
  readonly untilMs?: number;
  readonly oracle?: ReadonlyMap<string, number>;
  /** Who asked (recorded as the version's creator and the alias move's actor). */
  readonly actor: string;
  readonly jobId?: string;
  readonly codeVersion?: string;
  readonly onProgress?: (p: TrainingProgress) => void;
  /** Train on seeded, shuffled labels (a permutation test): the gates must refuse the result. */
  readonly permuteLabels?: number;
}

export interface TrainingJobOutcome {
  readonly candidate: TrainedCandidate;
  readonly version: ModelVersionRecord | null;
  /** The alias the version received: champion (it beat the champion), challenger (it waits for a person) or none (a gate failed). */
  readonly alias: typeof CHAMPION | typeof CHALLENGER | null;
  readonly aliasMove: AliasMoveResult | null;
  readonly reportHtml: string;
}

/**
 * One training run from events to a registered version: trains and evaluates against the current
 * champion, registers the version with its report, artifacts and gate verdicts, and aliases it —
 * `champion` when it passes every gate and beats the champion by the spec's margin, `challenger`
 * when it passes the quality and fairness gates only, nothing when a gate fails. The CLI, the HTTP
 * API and the Kafka consumer all run this, so equal inputs give equal versions.
 */
export async function runTrainingJob(options: RunTrainingJobOptions): Promise<TrainingJobOutcome> {
  const { spec, registry } = options;
  const champion = registry ? await currentChampion(registry, spec.name) : undefined;
  const candidate = await trainModel({
    spec,
    registry: options.featureRegistry,
    events: options.source.events(),
    watermarkMs: options.source.watermarkMs,
    fromMs: options.fromMs,
    untilMs: options.untilMs,
    params: options.params,
    oracle: options.oracle,
    champion,
    codeVersion: options.codeVersion,
    onProgress: options.onProgress,
    permuteLabels: options.permuteLabels,
  });
  const createdAt = new Date().toISOString();
  const report = (version: number | null) =>
    renderTrainingReport({
      model: spec.name,
      version,
      specVersion: spec.version,
      createdAt,
      evaluation: candidate.evaluation,
      gates: candidate.gates,
      params: candidate.params,
      lineage: { ...candidate.lineage, source: options.source.description, createdBy: options.actor },
    });
  if (!registry) return { candidate, version: null, alias: null, aliasMove: null, reportHtml: report(null) };

  let reportHtml = '';
  const version = await registry.registerVersion({
    model: spec.name,
    specVersion: spec.version,
    task: spec.task,
    createdBy: options.actor,
    trainingJobId: options.jobId ?? null,
    metrics: candidate.evaluation.metrics,
    gates: candidate.gates,
    signature: candidate.signature,
    lineage: candidate.lineage,
    evaluation: candidate.evaluation,
    reportHtml: (v) => (reportHtml = report(v)),
    onnx: candidate.onnx,
    modelJson: candidate.modelJson,
    testSample: candidate.testSample,
    referenceProfile: candidate.referenceProfile as unknown as Record<string, unknown>,
    contentSha256: candidate.contentSha256,
  });
  if (!candidate.gatesPassed) return { candidate, version, alias: null, aliasMove: null, reportHtml };
  const alias = candidate.promote ? CHAMPION : CHALLENGER;
  const gate = candidate.gates.find((g) => g.name === 'champion');
  try {
    const aliasMove = await registry.moveAlias({
      model: spec.name,
      alias,
      version: version.version,
      actor: options.actor,
      reason: `v${version.version} ${alias === CHAMPION ? 'promoted' : 'awaits review'}: ${gate?.detail ?? ''}`.trim(),
      // promote only over the champion it was compared with
      ...(alias === CHAMPION ? { expectedVersion: champion?.version ?? null } : {}),
    });
    return { candidate, version, alias, aliasMove, reportHtml };
  } catch (err) {
    if (!(err instanceof AliasConflictError)) throw err;
    // the champion moved while this trained: it was not compared with the new one, so it waits as challenger
    const aliasMove = await registry.moveAlias({
      model: spec.name,
      alias: CHALLENGER,
      version: version.version,
      actor: options.actor,
      reason: `v${version.version} awaits review: the champion changed while it trained`,
    });
    return { candidate, version, alias: CHALLENGER, aliasMove, reportHtml };
  }
}

async function currentChampion(registry: ModelRegistryRepository, model: string): Promise<ChampionModel | undefined> {
  const version = await registry.resolveAlias(model, CHAMPION);
  if (version === null) return undefined;
  const record = await registry.getVersion(model, version, { withArtifacts: true });
  return {
    version,
    modelJson: record.artifacts!.modelJson,
    featureNames: [...record.signature.inputs].sort((a, b) => a.index - b.index).map((i) => i.name),
    metrics: record.metrics,
  };
}
