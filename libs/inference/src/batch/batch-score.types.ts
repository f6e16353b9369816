import type { PredictionInput, RiskTier } from '@pulse/contracts';
import type { ColumnarRead, ReadPath } from '@pulse/features';
import type { CompiledModelSpec, TriggerContext } from '@pulse/models';
import type { FallbackRule } from '../fallbacks/fallback.types';
import type { ServableModel } from '../loading/servable-model';
import type { RiskOptions } from '../risk/risk-tier.types';

/** Where a batch reads its features: FeatureReader (online state, or the event log's replay) is one. */
export interface BatchFeatureSource {
  readColumns(entityIds: readonly string[], atMs: number, views?: readonly string[]): Promise<ColumnarRead>;
  /** Takes back an answer nothing reads any more (FeatureReader reuses its arrays). */
  recycle?(read: ColumnarRead): void;
}

/** The trigger's fields every row is scored with (the request-time features); absent fields as the spec documents. */
export type BatchContext = Omit<TriggerContext, 'eventTimeMs'>;

export interface BatchScoreOptions {
  readonly compiled: CompiledModelSpec;
  /** The version that scores; absent or null: the model's fallback rule answers every row. */
  readonly servable?: ServableModel | null;
  /** The alias the version serves under (recorded on every row); the fallback's rows say "fallback". */
  readonly alias: string;
  readonly features: BatchFeatureSource;
  /** The entities to score, in output order. */
  readonly entities: Iterable<string> | AsyncIterable<string>;
  /** Every entity is scored as of this event time (epoch ms), each view at it plus its as-of offset. */
  readonly atMs: number;
  readonly context?: BatchContext;
  /** Entities per feature read and onnxruntime call. Default DEFAULT_BATCH_CHUNK. */
  readonly chunkSize?: number;
  /** Report each row's input vector with staleness (one object per input per row: slow). Default false. */
  readonly includeInputs?: boolean;
  /** Overrides the model's risk defaults, as for a single prediction. */
  readonly risk?: RiskOptions;
  /** The rule used without a servable; default fallbackFor(model), else priorFallback(spec). */
  readonly fallback?: FallbackRule;
  /** Recorded on the fallback's rows. Default "no version". */
  readonly fallbackReason?: string;
  /** How many entities there are, for the progress counts (an array's length when not given). */
  readonly total?: number;
  /** Stops between chunks (the iterator then throws the signal's reason). */
  readonly signal?: AbortSignal;
}

/** Counts after a chunk, for a progress bar. */
export interface BatchProgress {
  /** Entities scored so far. */
  readonly entities: number;
  /** All entities, when known. */
  readonly total?: number;
  readonly chunks: number;
  /** Of the entities so far, answered from the online state / replayed from the event log. */
  readonly online: number;
  readonly offline: number;
  /** Since the first chunk was asked for. */
  readonly elapsedMs: number;
}

/** One entity's scored row, as a ScoredChunk hands it out on request. */
export interface BatchScoredRow {
  readonly entityId: string;
  readonly score: number;
  readonly label?: string;
  readonly classProbabilities: Record<string, number>;
  readonly riskTier: RiskTier;
  readonly riskConfidence: number;
  /** online: every view from the entity's state; offline: replayed from the event log. */
  readonly featurePath: ReadPath;
  /** Newest event time the features cover; null without events. */
  readonly watermarkMs: number | null;
  /** With includeInputs only. */
  readonly inputs?: readonly PredictionInput[];
}
