import type { EngagementEvent } from '@pulse/contracts';

export type ModelTask = 'binary' | 'multiclass' | 'regression' | 'ranking';

/** When an example (and, in serving, a prediction) is made. */
export type TriggerSpec =
  /** On every event of this type (e.g. lesson_sent), as of its time. */
  | { readonly kind: 'event'; readonly eventType: string }
  /**
   * Once per entity per day at `hourUtc` (default 0: midnight), for every entity with at least one of
   * `activityEventTypes` (default: any event) within the last `activeWithin` (e.g. '14d').
   */
  | {
      readonly kind: 'daily';
      readonly hourUtc?: number;
      readonly activeWithin: string;
      readonly activityEventTypes?: readonly string[];
      /** Only entities whose first event is at least this long ago (e.g. '14d': a full previous period). */
      readonly minHistory?: string;
      /** Only entities active on at least this many distinct UTC days within `activeWithin`. Default 1. */
      readonly minActiveDays?: number;
    };

/** How an example's outcome is read from the events after its trigger time. */
export type LabelSpec =
  /**
   * 1 when an event of `eventTypes` follows within `horizon` (matching the trigger's `matchOn` fields,
   * e.g. content_id), else 0. Censored while the horizon has not elapsed by the log's watermark.
   */
  | {
      readonly kind: 'eventWithin';
      readonly eventTypes: readonly string[];
      readonly horizon: string;
      readonly matchOn?: readonly ('contentId' | 'channel')[];
    }
  /**
   * One of three classes from activity (distinct active UTC days with an event of `activityEventTypes`)
   * in the next `horizon` against the previous `horizon`: `classes[2]` (e.g. high risk) when the next
   * period's active days are at most `dropAtMost` × the previous period's, `classes[0]` when at least
   * `keepAtLeast` ×, else `classes[1]`.
   */
  | {
      readonly kind: 'activityChange';
      readonly horizon: string;
      readonly activityEventTypes: readonly string[];
      readonly classes: readonly [string, string, string];
      readonly dropAtMost: number;
      readonly keepAtLeast: number;
    };

/** View features by name, pinned to the view's version. */
export interface ViewFeatureSelection {
  readonly view: string;
  readonly version: number;
  /** Feature names of the view, or `*` for all of them. */
  readonly features: readonly string[] | '*';
  /**
   * Evaluate this view as of the example's time plus this signed offset (default '0m'); a negative
   * offset mimics a feature pipeline's lag. A positive one reads events after the trigger: the
   * training-set check refuses such features as leakage.
   */
  readonly asOfOffset?: string;
}

export interface AbsoluteGateSpec {
  /** Test-split metric name (auc, accuracy, macro_f1, logloss, …). */
  readonly metric: string;
  readonly op: '>' | '>=' | '<' | '<=';
  readonly threshold: number;
}

export interface GateSpec {
  readonly absolute: readonly AbsoluteGateSpec[];
  /** Fairness: the largest allowed difference over each fairness attribute's groups. */
  readonly fairness?: {
    readonly maxDemographicParityDifference?: number;
    readonly maxEqualizedOddsDifference?: number;
  };
  /** Champion/challenger: promote only when the metric beats the champion's by this much on the same test window. */
  readonly champion: { readonly metric: string; readonly minImprovement: number };
}

export interface TuningSpec {
  readonly trials: number;
  readonly maxRounds: number;
  /** Search ranges by XGBoost parameter name; default the engine's standard space. */
  readonly space?: Readonly<Record<string, readonly [number, number]>>;
}

/** A model as its owner declares it: the input to defineModelSpec. */
export interface ModelSpecDefinition {
  readonly name: string;
  readonly version: number;
  readonly description?: string;
  readonly task: ModelTask;
  readonly trigger: TriggerSpec;
  readonly label: LabelSpec;
  readonly features: {
    readonly views: readonly ViewFeatureSelection[];
    /** Request-time feature names (see REQUEST_FEATURES), taken from the trigger event. */
    readonly request?: readonly string[];
    /** Derived feature names (see DERIVED_FEATURES), combining view and request values. */
    readonly derived?: readonly string[];
  };
  /** Tree engine parameters (XGBoost names); the objective follows from the task unless given. */
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  /** Hyperparameter search within this budget on the training split; absent = the params as given. */
  readonly tuning?: TuningSpec;
  readonly gates: GateSpec;
  /** Profile attributes (role, region) whose groups the fairness evaluation compares. */
  readonly fairnessAttributes?: readonly string[];
  /** For multiclass fairness: which class counts as the positive ("selected") outcome. */
  readonly positiveClass?: string;
  /** Fewest labelled examples a training set may have. Default 500. */
  readonly minRows?: number;
  /** Largest share of missing values a feature may have in the training split. Default 0.95. */
  readonly maxMissingShare?: number;
  /** Shares of the time-ordered examples held out for validation and test. Default 0.15 each. */
  readonly split?: { readonly validation: number; readonly test: number };
  /** The rule-based answer when no model can serve (documented per model; used by inference). */
  readonly fallback?: { readonly description: string };
  /** Binary: the single feature (a column name) whose raw value is the baseline score. */
  readonly baselineFeature?: string;
  /** How monitoring judges this model where it should not use its defaults. */
  readonly monitoring?: MonitoringSpec;
}

/** The drift tests whose thresholds a model may set (Evidently's names; see @pulse/drift). */
export const DRIFT_TESTS = ['psi', 'js', 'ks', 'wasserstein', 'chi2', 'z'] as const;
export type DriftTestName = (typeof DRIFT_TESTS)[number];

/** Per-model overrides of monitoring's drift and quality thresholds (absent: the service's settings). */
export interface MonitoringSpec {
  /** Thresholds of the tests deciding `drifted` (Evidently's defaults: psi/js/wasserstein 0.1, p-values 0.05). */
  readonly driftThresholds?: Readonly<Partial<Record<DriftTestName, number>>>;
  /** The PSI floor below which a feature's drift never counts toward the alert (default 0.25). */
  readonly significantPsi?: number;
  /** Significantly drifted features that make a drift alert (default MONITORING_DRIFT_MIN_FEATURES). */
  readonly driftMinFeatures?: number;
  /** Relative AUC drop below the training AUC that alerts (default MONITORING_AUC_DROP). */
  readonly aucDropRatio?: number;
}

/** A validated spec: frozen, with durations in ms and the class list resolved. */
export interface ModelSpec extends ModelSpecDefinition {
  readonly classes: readonly string[];
  readonly horizonMs: number;
  readonly minRows: number;
  readonly maxMissingShare: number;
  readonly split: { readonly validation: number; readonly test: number };
  readonly fairnessAttributes: readonly string[];
}

/** What one example is made from: the entity, its as-of time and (for event triggers) the trigger. */
export interface ExamplePoint {
  readonly entityId: string;
  readonly timeMs: number;
  readonly trigger?: EngagementEvent;
}
