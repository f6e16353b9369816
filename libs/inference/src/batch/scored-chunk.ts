import type { PredictionInput, RiskTier } from '@pulse/contracts';
import type { BatchProgress, BatchScoredRow } from './batch-score.types';

export interface ScoredChunkInit {
  readonly model: string;
  readonly modelVersion: number;
  readonly alias: string;
  readonly asOfMs: number;
  readonly fallback: boolean;
  readonly fallbackReason?: string;
  readonly classes: readonly string[];
  readonly entityIds: readonly string[];
  readonly scores: Float64Array;
  readonly probabilities: Float64Array;
  readonly labelIndex: Int32Array;
  readonly riskTiers: RiskTier[];
  readonly riskConfidences: Float64Array;
  readonly online: Uint8Array;
  readonly watermarks: Float64Array;
  readonly inputs?: (readonly PredictionInput[])[];
  readonly progress: BatchProgress;
}

/**
 * One chunk of a batch's scored rows, column by column (no object per row unless row() is asked):
 * row i is entity `entityIds[i]`, its class probabilities `probabilities[i * classes.length + k]` in
 * `classes` order.
 */
export class ScoredChunk {
  readonly model: string;
  readonly modelVersion: number;
  readonly alias: string;
  readonly asOfMs: number;
  /** true: the model's rule answered (no version), modelVersion 0 and alias "fallback". */
  readonly fallback: boolean;
  readonly fallbackReason?: string;
  /** The probability columns' classes, in the model's output order (empty without classes). */
  readonly classes: readonly string[];
  readonly size: number;
  readonly entityIds: readonly string[];
  /** Binary: P(positive class); multiclass: the label's probability. */
  readonly scores: Float64Array;
  readonly probabilities: Float64Array;
  /** The label's index in `classes`, -1 without one. */
  readonly labelIndex: Int32Array;
  readonly riskTiers: RiskTier[];
  readonly riskConfidences: Float64Array;
  /** 1: the entity's features came from its online state; 0: replayed from the event log. */
  readonly online: Uint8Array;
  /** Newest event time each row's features cover, NaN without events. */
  readonly watermarks: Float64Array;
  /** Per row, with includeInputs only. */
  readonly inputs?: (readonly PredictionInput[])[];
  readonly progress: BatchProgress;

  constructor(init: ScoredChunkInit) {
    this.model = init.model;
    this.modelVersion = init.modelVersion;
    this.alias = init.alias;
    this.asOfMs = init.asOfMs;
    this.fallback = init.fallback;
    if (init.fallbackReason !== undefined) this.fallbackReason = init.fallbackReason;
    this.classes = init.classes;
    this.size = init.entityIds.length;
    this.entityIds = init.entityIds;
    this.scores = init.scores;
    this.probabilities = init.probabilities;
    this.labelIndex = init.labelIndex;
    this.riskTiers = init.riskTiers;
    this.riskConfidences = init.riskConfidences;
    this.online = init.online;
    this.watermarks = init.watermarks;
    if (init.inputs !== undefined) this.inputs = init.inputs;
    this.progress = init.progress;
  }

  label(i: number): string | undefined {
    const k = this.labelIndex[i];
    return k < 0 ? undefined : this.classes[k];
  }

  /** Row i as an object (allocates: for a few rows, not a whole batch). */
  row(i: number): BatchScoredRow {
    if (!Number.isInteger(i) || i < 0 || i >= this.size)
      throw new RangeError(`i must be an integer in [0, ${this.size}), got ${i}`);
    const K = this.classes.length;
    const classProbabilities: Record<string, number> = {};
    for (let k = 0; k < K; k++) classProbabilities[this.classes[k]] = this.probabilities[i * K + k];
    const label = this.label(i);
    const w = this.watermarks[i];
    return {
      entityId: this.entityIds[i],
      score: this.scores[i],
      ...(label !== undefined ? { label } : {}),
      classProbabilities,
      riskTier: this.riskTiers[i],
      riskConfidence: this.riskConfidences[i],
      featurePath: this.online[i] === 1 ? 'online' : 'offline',
      watermarkMs: Number.isNaN(w) ? null : w,
      ...(this.inputs !== undefined ? { inputs: this.inputs[i] } : {}),
    };
  }

  *rows(): Generator<BatchScoredRow> {
    for (let i = 0; i < this.size; i++) yield this.row(i);
  }
}
