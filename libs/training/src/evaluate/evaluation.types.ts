/** What a model's evaluation on its test split holds: the registry stores it, the report draws it. */

export type ModelTask = 'binary' | 'multiclass' | 'regression' | 'ranking';

/** One gate's verdict. `value` is what was measured, `threshold` what it was compared with. */
export interface GateVerdict {
  readonly name: string;
  readonly passed: boolean;
  readonly value: number | null;
  readonly threshold: number;
  /** e.g. "auc 0.512 <= 0.70", or why a gate could not be evaluated. */
  readonly detail: string;
}

export interface RocCurve {
  /** Ascending false-positive rates from 0 to 1, paired with `tpr`. */
  readonly fpr: readonly number[];
  readonly tpr: readonly number[];
}

export interface PrCurve {
  /** Descending thresholds' recall (0..1) paired with precision. */
  readonly recall: readonly number[];
  readonly precision: readonly number[];
}

export interface CalibrationCurve {
  /** Per non-empty bin of predicted probability: the mean prediction, the observed positive rate, the count. */
  readonly meanPredicted: readonly number[];
  readonly fractionPositive: readonly number[];
  readonly count: readonly number[];
}

export interface ConfusionTable {
  /** Class names in index order; `matrix[actual][predicted]` counts. */
  readonly labels: readonly string[];
  readonly matrix: readonly (readonly number[])[];
}

export interface FeatureImportanceEntry {
  readonly feature: string;
  /** Total gain share (sums to 1 over features). */
  readonly gain: number;
  /** Mean |TreeSHAP| over the test rows (margin units; summed over classes for multiclass). */
  readonly meanAbsShap: number;
}

/** One group of a fairness attribute (e.g. region = emea), rates as Fairlearn's MetricFrame gives them. */
export interface FairnessGroup {
  readonly group: string;
  readonly count: number;
  /** Share of the group predicted positive (selection rate); for multiclass, of the positive class. */
  readonly selectionRate: number;
  /** Share of the group that is actually positive. */
  readonly baseRate: number;
  readonly truePositiveRate: number | null;
  readonly falsePositiveRate: number | null;
  readonly accuracy: number;
  /** null when the group holds one class only. */
  readonly auc: number | null;
}

export interface FairnessByAttribute {
  readonly attribute: string;
  readonly groups: readonly FairnessGroup[];
  /** max − min selection rate over groups (fairlearn.metrics.demographic_parity_difference). */
  readonly demographicParityDifference: number;
  /** max of the TPR and FPR differences over groups (fairlearn.metrics.equalized_odds_difference). */
  readonly equalizedOddsDifference: number;
  /** Which class counts as positive (binary: 1; multiclass: the spec's positive class). */
  readonly positiveClass: string;
  /**
   * The gaps less their sampling noise (one-sided 95 %, rows clustered by entity): what the fairness
   * gate compares with its maximum, so a small test window's chance gaps do not fail it.
   */
  readonly demographicParityLowerBound?: number;
  readonly equalizedOddsLowerBound?: number;
}

export interface SplitRows {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
}

export interface BaselineResult {
  /** e.g. "majority class (medium)" or "single feature learner_behaviour.lesson_completion_rate". */
  readonly name: string;
  readonly metrics: Readonly<Record<string, number>>;
}

export interface Evaluation {
  readonly task: ModelTask;
  /** Class names in index order (binary: ['0', '1']). Empty for regression. */
  readonly classes: readonly string[];
  /** Test-split metrics: auc, pr_auc, logloss, brier, ece, accuracy (binary); accuracy, macro_f1, mlogloss (multiclass). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly baseline: BaselineResult;
  /** The simulator oracle's scores on the same test examples, when an oracle file was given. */
  readonly oracle?: { readonly auc: number; readonly matched: number; readonly modelAuc: number };
  readonly rows: SplitRows;
  /** Class counts over all labelled rows, by class name. */
  readonly classBalance: Readonly<Record<string, number>>;
  readonly roc?: RocCurve;
  readonly pr?: PrCurve;
  readonly calibration?: CalibrationCurve;
  readonly confusion: ConfusionTable;
  readonly importance: readonly FeatureImportanceEntry[];
  readonly fairness: readonly FairnessByAttribute[];
}

/** Everything the HTML report shows for one trained version. */
export interface ReportInput {
  readonly model: string;
  /** null before registration (e.g. the CLI on an event file). */
  readonly version: number | null;
  readonly specVersion: number;
  readonly createdAt: string;
  readonly evaluation: Evaluation;
  readonly gates: readonly GateVerdict[];
  /** Parameters the engine was trained with (after tuning), and the rounds kept by early stopping. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly lineage: Readonly<Record<string, unknown>>;
}
