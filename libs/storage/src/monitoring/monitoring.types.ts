/** An acted-on prediction as monitoring keeps it until (and after) its label matures. */
export interface MonitoredPrediction {
  readonly predictionId: string;
  readonly model: string;
  readonly modelVersion: number;
  readonly entityId: string;
  readonly triggerEventId?: string;
  readonly contentId?: string;
  readonly channel?: string;
  readonly asOfMs: number;
  readonly score: number;
  readonly fallback: boolean;
  /** When the label is final: the trigger time plus the label's horizon. */
  readonly maturesAtMs: number;
}

/** Bin counts to add to a drift window (see @pulse/drift's DriftWindowState). */
export interface DriftWindowDelta {
  readonly model: string;
  readonly modelVersion: number;
  readonly windowMs: number;
  readonly windowStartMs: number;
  readonly feature: string;
  readonly profileKey: string;
  readonly counts: readonly number[];
  readonly total: number;
  readonly missing: number;
  readonly underflowSum: number;
  readonly overflowSum: number;
}

export type StoredDriftWindow = DriftWindowDelta;

/** An event labels mature from (its type is some model's label event). */
export interface OutcomeEvent {
  readonly entityId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly eventTimeMs: number;
  readonly channel: string;
  readonly contentId?: string;
}

export interface EntityProfile {
  readonly entityId: string;
  readonly profile: Readonly<Record<string, string>>;
  readonly eventTimeMs: number;
}

/** A prediction whose label horizon has passed the outcome watermark, with its entity's outcome events. */
export interface MaturingPrediction {
  readonly predictionId: string;
  readonly model: string;
  readonly entityId: string;
  readonly contentId: string | null;
  readonly channel: string | null;
  readonly asOfMs: number;
  readonly maturesAtMs: number;
}

/** A labelled (or not yet labelled) prediction of a window, with its entity's profile for fairness groups. */
export interface WindowRow {
  readonly entityId: string;
  readonly modelVersion: number;
  readonly score: number;
  readonly label: 0 | 1 | null;
  readonly fallback: boolean;
  readonly profile: Readonly<Record<string, string>> | null;
}

export interface StoredAlert {
  readonly rule: string;
  readonly key: string;
  readonly model: string;
  readonly kind: string;
  readonly firing: boolean;
  readonly firedAtMs: number | null;
  readonly quietUntilMs: number;
  readonly value: number;
  readonly threshold: number;
  readonly message: string;
  readonly updatedAt: string;
}

export interface PendingAlertMessage {
  readonly id: string;
  readonly payload: Readonly<Record<string, unknown>>;
}
