import type { WindowQuality } from '../quality/window-quality';

/**
 * drift and quality alerts ask for retraining; fairness and operational ones page a person (a
 * model retrained on the same data reproduces its gaps; a broken pipeline is no model's fault).
 */
export type AlertKind = 'drift' | 'quality' | 'fairness' | 'operational';

/** The kinds whose firing asks training-service for a new version. */
export const RETRAINING_KINDS: ReadonlySet<AlertKind> = new Set<AlertKind>(['drift', 'quality']);

/** Per feature (and the score, as "__score__"): the drift tests' values and whether it drifted. */
export interface FeatureDrift {
  readonly feature: string;
  readonly psi: number | null;
  /** Evidently's verdict with its default test. */
  readonly drifted: boolean;
  /** Whether it counts toward feature_drift (drift-significance.ts); absent: `drifted`. */
  readonly significant?: boolean;
}

/** What the rules look at: one model's window, as monitoring-service computed it. */
export interface WindowSnapshot {
  readonly model: string;
  readonly version: number;
  readonly windowMs: number;
  readonly windowStartMs: number;
  /** Predictions in the window. */
  readonly predictions: number;
  readonly drift: readonly FeatureDrift[];
  readonly quality: WindowQuality | null;
  readonly estimatedAuc: number | null;
  /** The serving version's test AUC at registration. */
  readonly trainingAuc: number | null;
  readonly fallbackShare: number | null;
  readonly fairnessMax: number | null;
  readonly dlqShare?: number | null;
  readonly consumerLag?: number | null;
}

/** A rule's reading of a window: over its threshold (firing), back inside its hysteresis band (clear), or neither. */
export interface AlertObservation {
  readonly rule: string;
  readonly kind: AlertKind;
  readonly model: string;
  /** What makes two observations the same alert (e.g. the model and window size). */
  readonly key: string;
  readonly value: number;
  readonly threshold: number;
  readonly firing: boolean;
  readonly clear: boolean;
  readonly message: string;
}

/** One rule: a small module in its own file, listed in ALERT_RULES. */
export interface AlertRule {
  readonly name: string;
  readonly kind: AlertKind;
  /**
   * Which window it judges: the newest closed one (drift, estimates, fallbacks), or the newest whose
   * labels are final (its end plus the label horizon behind the outcome watermark).
   */
  readonly judges: 'newest' | 'labelled';
  readonly description: string;
  /** One observation per window it can judge; none when the window holds too little to judge. */
  observe(window: WindowSnapshot, options: AlertRuleOptions): AlertObservation | null;
}

export interface AlertRuleOptions {
  /** Drifted features (of the inputs and the score) that make a drift alert. Default 3. */
  readonly driftMinFeatures: number;
  /** Relative AUC drop below the training AUC that alerts (the seeds' rule: 0.10). */
  readonly aucDropRatio: number;
  /** Labelled rows a window needs before its AUC is judged. Default 200. */
  readonly minLabelledRows: number;
  /** Predictions a window needs before its drift and estimate are judged. Default 200. */
  readonly minPredictions: number;
  /** Largest fairness gap allowed (the spec's gate). Default 0.1. */
  readonly fairnessMax: number;
  /** Share of fallback predictions that alerts. Default 0.05. */
  readonly fallbackShareMax: number;
  /** Fraction of the threshold a value must come back past to clear (hysteresis). Default 0.2. */
  readonly hysteresis: number;
}

export const DEFAULT_ALERT_RULE_OPTIONS: AlertRuleOptions = {
  driftMinFeatures: 3,
  aucDropRatio: 0.1,
  minLabelledRows: 200,
  minPredictions: 200,
  fairnessMax: 0.1,
  fallbackShareMax: 0.05,
  hysteresis: 0.2,
};
