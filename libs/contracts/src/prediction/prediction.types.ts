/** How sure the model is that the entity is at risk (the seeds' tiers): high, medium or low. */
export type RiskTier = 'high' | 'medium' | 'low';
export const RISK_TIERS: readonly RiskTier[] = ['high', 'medium', 'low'];

/** One model input as the model saw it. */
export interface PredictionInput {
  /** The input's name, as in the model version's signature. */
  readonly name: string;
  /** The value fed to the model; NaN when the feature was missing. */
  readonly value: number;
  /**
   * How old the data behind it was at the prediction's as-of time, in ms: as-of minus the newest event
   * folded into the feature's view for this entity; 0 for request-time features (the trigger itself);
   * null when the entity had no data for the view. Never negative.
   */
  readonly stalenessMs: number | null;
}

/** One feature's TreeSHAP contribution to the score (margin units: log-odds for a binary model). */
export interface PredictionFactor {
  readonly feature: string;
  readonly value: number;
  readonly contribution: number;
}

/**
 * A Prediction (predictions.<model>.v1, keyed by entity) in TypeScript terms, times as epoch ms: what
 * a consumer acts on and everything needed to audit and replay it. encodePrediction / decodePrediction
 * carry it as protobuf (proto/pulse/v1/prediction.proto) or as JSON with these field names.
 */
export interface PredictionMessage {
  /**
   * Deterministic: from model, trigger event id and alias (predictionId()), so a redelivered trigger
   * yields the same id and consumers dedupe on it. HTTP predictions without a trigger get a random id.
   */
  readonly predictionId: string;
  readonly model: string;
  /** The registry version that scored it (at least 1); 0 when the rule-based fallback answered. */
  readonly modelVersion: number;
  /** The alias the version was served under (champion, challenger, shadow, …); "fallback" for the rule. */
  readonly alias: string;
  /** The routing variant: the alias, or an experiment's variation when an experiment routed it. */
  readonly variant: string;
  /** The experiment that routed it, if any. */
  readonly experimentKey?: string;
  /** A shadow prediction is scored and published for comparison, never acted on. */
  readonly shadow: boolean;
  readonly entityId: string;
  /** The event that triggered it (absent for HTTP requests). */
  readonly triggerEventId?: string;
  readonly contentId?: string;
  /** Event time the features were read as of (the trigger's time). */
  readonly asOfMs: number;
  /** Wall-clock time it was made. */
  readonly predictedAtMs: number;
  /** Binary: P(positive class). Multiclass: the probability of `label`. Regression: the value. Finite. */
  readonly score: number;
  /** The predicted class for classifiers (e.g. "true", "high"). */
  readonly label?: string;
  /** Every class's probability (classifiers). */
  readonly classProbabilities: Readonly<Record<string, number>>;
  readonly riskTier: RiskTier;
  /** In [0, 1]: how sure the model is of the tier's outcome. */
  readonly riskConfidence: number;
  /** The largest TreeSHAP contributions by absolute value (empty when the model does not explain). */
  readonly topFactors: readonly PredictionFactor[];
  /** The input vector it used, in the signature's order, with each value's staleness. */
  readonly inputs: readonly PredictionInput[];
  /** true when the rule-based default answered (no servable model, or it failed). */
  readonly fallback: boolean;
  /** Why the fallback answered (e.g. "no champion", "model failed: …"); required when fallback is true. */
  readonly fallbackReason?: string;
  /** Trigger received (or request parsed) to prediction ready, in ms. */
  readonly latencyMs: number;
}
