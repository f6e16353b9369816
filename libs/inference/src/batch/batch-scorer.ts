import type { PredictionInput, RiskTier } from '@pulse/contracts';
import type { ColumnarRead, FeatureValues } from '@pulse/features';
import type { CompiledModelSpec, TriggerContext } from '@pulse/models';
import { FALLBACK_ALIAS, FALLBACK_VERSION, fallbackPrediction, priorFallback } from '../fallbacks/fallback-prediction';
import { fallbackFor } from '../fallbacks/fallback.registry';
import type { FallbackRule } from '../fallbacks/fallback.types';
import type { ServableModel } from '../loading/servable-model';
import { riskOptionsFor } from '../risk/risk-defaults';
import { riskTierRule } from '../risk/risk-tier.registry';
import type { RiskOptions, RiskTierRule } from '../risk/risk-tier.types';
import { classOutcome } from '../scoring/class-outcome';
import { inputStaleness } from '../scoring/model-input';
import { scorePredictions } from '../scoring/prediction-scorer';
import type { BatchFeatureSource, BatchProgress, BatchScoreOptions } from './batch-score.types';
import { entityChunks } from './entity-chunks';
import { entityValues, viewGroups, type ViewGroup } from './feature-rows';
import { ScoredChunk, type ScoredChunkInit } from './scored-chunk';

/** Entities per chunk by default: one feature read per view group and one onnxruntime call each. */
export const DEFAULT_BATCH_CHUNK = 5000;
export const MAX_BATCH_CHUNK = 100_000;

/** What every chunk is scored with, settled once before the first. */
interface Plan {
  readonly compiled: CompiledModelSpec;
  readonly features: BatchFeatureSource;
  readonly groups: readonly ViewGroup[];
  readonly atMs: number;
  readonly trigger: TriggerContext;
  readonly includeInputs: boolean;
  readonly risk: RiskOptions;
  readonly tiers: RiskTierRule;
  readonly classes: readonly string[];
  readonly scorer: { readonly servable: ServableModel } | { readonly rule: FallbackRule; readonly reason: string };
  readonly model: string;
  readonly modelVersion: number;
  readonly alias: string;
  readonly total?: number;
}

/** One chunk's features, read and turned into input rows. */
interface BuiltChunk {
  readonly ids: readonly string[];
  readonly rows: Float32Array;
  readonly online: Uint8Array;
  readonly watermarks: Float64Array;
  /** Kept for the fallback's rule and for reported inputs only. */
  readonly values?: FeatureValues[];
}

/**
 * Scores entities as of one time, a chunk at a time: each chunk's features in one read per view
 * group (FeatureReader: the online state where it can answer the time, the event log's replay
 * otherwise), the spec's vector function for every row (the one training uses), one onnxruntime call,
 * then each row's label, class probabilities, risk tier and confidence — the same as a single
 * prediction's, without explanations and (unless includeInputs) without per-input objects. The next
 * chunk's features are read while a chunk is scored and consumed. Without a servable the model's
 * rule answers every row.
 */
export async function* scoreEntities(options: BatchScoreOptions): AsyncGenerator<ScoredChunk> {
  const plan = await prepare(options);
  const size = options.chunkSize ?? DEFAULT_BATCH_CHUNK;
  const started = performance.now();
  const source = entityChunks(options.entities, size);
  const readNext = async (): Promise<BuiltChunk | undefined> => {
    const next = await source.next();
    if (next.done) return undefined;
    const ids = next.value;
    const reads = await Promise.all(
      plan.groups.map((g) => plan.features.readColumns(ids, plan.atMs + g.offsetMs, g.views)),
    );
    return build(plan, ids, reads);
  };
  let pending = readNext();
  const progress = { entities: 0, chunks: 0, online: 0, offline: 0 };
  try {
    for (;;) {
      const chunk = await pending;
      if (chunk === undefined) return;
      options.signal?.throwIfAborted();
      // The next chunk's reads go out now: the store and the log work while this one is scored and consumed.
      pending = readNext();
      pending.catch(() => undefined);
      const scored = await score(plan, chunk);
      progress.entities += chunk.ids.length;
      progress.chunks++;
      for (let i = 0; i < chunk.online.length; i++) progress[chunk.online[i] === 1 ? 'online' : 'offline']++;
      const counts: BatchProgress = {
        ...progress,
        ...(plan.total !== undefined ? { total: plan.total } : {}),
        elapsedMs: performance.now() - started,
      };
      yield new ScoredChunk({ ...scored, progress: counts });
    }
  } finally {
    // Nothing keeps reading after the iterator is done: the caller may close the store and the log.
    await pending.catch(() => undefined);
    await source.return(undefined);
  }
}

async function prepare(options: BatchScoreOptions): Promise<Plan> {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const { compiled, atMs } = options;
  if (compiled === null || typeof compiled !== 'object' || typeof compiled.vector !== 'function')
    throw new TypeError('options.compiled must be a compiled model spec (compileModelSpec)');
  if (typeof options.features?.readColumns !== 'function')
    throw new TypeError('options.features must have readColumns (a FeatureReader)');
  if (options.entities === null || typeof options.entities !== 'object')
    throw new TypeError('options.entities must be an iterable of entity ids');
  if (!Number.isSafeInteger(atMs)) throw new TypeError(`options.atMs must be an integer epoch ms, got ${atMs}`);
  const size = options.chunkSize ?? DEFAULT_BATCH_CHUNK;
  if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_CHUNK)
    throw new RangeError(`options.chunkSize must be an integer from 1 to ${MAX_BATCH_CHUNK}, got ${size}`);
  if (typeof options.alias !== 'string' || options.alias === '')
    throw new TypeError('options.alias must be a non-empty string');
  if (options.total !== undefined && (!Number.isInteger(options.total) || options.total < 0))
    throw new RangeError(`options.total must be a non-negative integer, got ${options.total}`);
  const spec = compiled.spec;
  const risk = riskOptionsFor(spec.name, options.risk);
  const trigger: TriggerContext = { ...options.context, eventTimeMs: atMs };
  const total = options.total ?? (Array.isArray(options.entities) ? options.entities.length : undefined);
  const common = {
    compiled,
    features: options.features,
    groups: viewGroups(compiled),
    atMs,
    trigger,
    includeInputs: options.includeInputs ?? false,
    risk,
    model: spec.name,
    ...(total !== undefined ? { total } : {}),
  };
  const servable = options.servable ?? undefined;
  if (servable !== undefined) {
    // The per-row path's checks, on no rows: the version reads the spec's vector and gives its
    // classes, and the risk options fit them.
    await scorePredictions(compiled, servable, [], { alias: options.alias, topFactors: 0, risk: options.risk });
    return {
      ...common,
      tiers: riskTierRule(servable.task),
      classes: servable.classes,
      scorer: { servable },
      modelVersion: servable.version,
      alias: options.alias,
    };
  }
  const rule = options.fallback ?? fallbackFor(spec.name) ?? priorFallback(spec);
  if (rule.model !== spec.name)
    throw new RangeError(`options.fallback is the rule of "${rule.model}", the spec is "${spec.name}"`);
  const tiers = riskTierRule(rule.task);
  tiers.validate(rule.classes, risk);
  return {
    ...common,
    tiers,
    classes: rule.classes,
    scorer: { rule, reason: options.fallbackReason ?? 'no version' },
    modelVersion: FALLBACK_VERSION,
    alias: FALLBACK_ALIAS,
  };
}

/** The chunk's input rows through the spec's vector function; the reads are handed back once read. */
function build(plan: Plan, ids: readonly string[], reads: readonly ColumnarRead[]): BuiltChunk {
  const n = ids.length;
  const F = plan.compiled.featureNames.length;
  const fallback = 'rule' in plan.scorer;
  const rows = new Float32Array(fallback ? 0 : n * F);
  const online = new Uint8Array(n);
  const watermarks = new Float64Array(n);
  const values = fallback || plan.includeInputs ? new Array<FeatureValues>(n) : undefined;
  for (let i = 0; i < n; i++) {
    const v = entityValues(reads, i);
    if (!fallback) plan.compiled.vector(v, plan.trigger, rows.subarray(i * F, i * F + F));
    if (values !== undefined) values[i] = v;
    let on = 1;
    for (const r of reads) if (r.online[i] !== 1) on = 0;
    online[i] = on;
    watermarks[i] = reads[0].watermarks[i];
  }
  for (const r of reads) plan.features.recycle?.(r);
  return { ids, rows, online, watermarks, ...(values !== undefined ? { values } : {}) };
}

async function score(plan: Plan, chunk: BuiltChunk): Promise<Omit<ScoredChunkInit, 'progress'>> {
  const n = chunk.ids.length;
  const K = plan.classes.length;
  const scores = new Float64Array(n);
  const probabilities = new Float64Array(n * K);
  const labelIndex = new Int32Array(n).fill(-1);
  const riskTiers = new Array<RiskTier>(n);
  const riskConfidences = new Float64Array(n);
  const inputs = plan.includeInputs ? new Array<readonly PredictionInput[]>(n) : undefined;
  const head = {
    model: plan.model,
    modelVersion: plan.modelVersion,
    alias: plan.alias,
    asOfMs: plan.atMs,
    classes: plan.classes,
    entityIds: chunk.ids,
    scores,
    probabilities,
    labelIndex,
    riskTiers,
    riskConfidences,
    online: chunk.online,
    watermarks: chunk.watermarks,
    ...(inputs !== undefined ? { inputs } : {}),
  };

  if ('rule' in plan.scorer) {
    const { rule, reason } = plan.scorer;
    for (let i = 0; i < n; i++) {
      const p = fallbackPrediction(rule, chunk.values![i], plan.trigger, { reason, risk: plan.risk });
      scores[i] = p.score;
      for (let k = 0; k < K; k++) probabilities[i * K + k] = p.classProbabilities[plan.classes[k]];
      labelIndex[i] = p.label === undefined ? -1 : plan.classes.indexOf(p.label);
      riskTiers[i] = p.riskTier;
      riskConfidences[i] = p.riskConfidence;
      if (inputs !== undefined) inputs[i] = p.inputs;
    }
    return { ...head, fallback: true, fallbackReason: reason };
  }

  const { servable } = plan.scorer;
  const outputs = await servable.score(chunk.rows, n);
  const W = servable.outputWidth;
  const F = servable.numFeatures;
  for (let i = 0; i < n; i++) {
    const outcome = classOutcome(servable.task, servable.classes, outputs, i * W);
    const assessment = plan.tiers.assess(servable.classes, outcome.probabilities, plan.risk);
    scores[i] = outcome.score;
    probabilities.set(outcome.probabilities, i * K);
    labelIndex[i] = outcome.label === undefined ? -1 : outcome.labelIndex;
    riskTiers[i] = assessment.tier;
    riskConfidences[i] = assessment.confidence;
    if (inputs !== undefined) {
      const staleness = inputStaleness(plan.compiled, chunk.values![i]);
      const names = servable.featureNames;
      const row: PredictionInput[] = new Array(F);
      for (let f = 0; f < F; f++) row[f] = { name: names[f], value: chunk.rows[i * F + f], stalenessMs: staleness[f] };
      inputs[i] = row;
    }
  }
  return { ...head, fallback: false };
}
