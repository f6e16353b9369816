import type { PredictionMessage } from '@pulse/contracts';

/**
 * The fields of a Prediction that scoring (or a fallback rule) fills in; the service adds the ids,
 * entity, times, routing and latency.
 */
export type ScoredPrediction = Pick<
  PredictionMessage,
  | 'modelVersion'
  | 'alias'
  | 'score'
  | 'label'
  | 'classProbabilities'
  | 'riskTier'
  | 'riskConfidence'
  | 'topFactors'
  | 'inputs'
  | 'fallback'
  | 'fallbackReason'
>;

/** One row of model input: the vector the spec's vector function built, and each input's staleness. */
export interface ModelInput {
  readonly vector: Float32Array;
  /** Per input, in ms (see PredictionInput.stalenessMs); null: no data behind it. Absent: all null. */
  readonly staleness?: ArrayLike<number | null>;
}
