// Report inputs for the specs (not exported from the barrel): a binary evaluation shaped like a real
// one — 101-point ROC and PR curves, 100 calibration bins, 25 features, fairness attributes of three
// groups — and a three-class one. Built from closed forms, so every call gives the same input.
import type { FairnessGroup, FeatureImportanceEntry, ReportInput } from '../evaluate/evaluation.types';

/** A feature name that would run script if any text reached the page unescaped. */
export const HOSTILE_FEATURE = '<img src=x onerror="window.__pulsePwned=1"><script>window.__pulsePwned=1</script>';

export const CURVE_POINTS = 101;
export const CALIBRATION_BINS = 100;
export const FEATURE_COUNT = 25;

const PREVALENCE = 0.3;

/** A binary model with AUC 0.75 (tpr = 1 − (1 − fpr)³), slightly over-confident at the top. */
export function binaryReportInput(): ReportInput {
  const fpr = Array.from({ length: CURVE_POINTS }, (_, i) => i / (CURVE_POINTS - 1));
  const tpr = fpr.map((f) => 1 - (1 - f) ** 3);
  // Precision from the ROC point at the prevalence; at the first threshold nothing is predicted positive.
  const precision = fpr.map((f, i) => {
    const tp = PREVALENCE * tpr[i];
    const fp = (1 - PREVALENCE) * f;
    return tp + fp === 0 ? 1 : tp / (tp + fp);
  });
  const meanPredicted = Array.from({ length: CALIBRATION_BINS }, (_, i) => (i + 0.5) / CALIBRATION_BINS);
  return {
    model: 'engagement-churn',
    version: 7,
    specVersion: 3,
    createdAt: '2025-11-04T09:30:00.000Z',
    evaluation: {
      task: 'binary',
      classes: ['0', '1'],
      metrics: { auc: 0.75, pr_auc: 0.5412, logloss: 0.5123, brier: 0.1731, ece: 0.0214, accuracy: 0.7645 },
      baseline: {
        name: 'single feature learner_behaviour.lesson_completion_rate',
        metrics: { auc: 0.6611, pr_auc: 0.4102, logloss: 0.5902, brier: 0.1975, ece: 0.0301, accuracy: 0.7 },
      },
      oracle: { auc: 0.8123, matched: 11980, modelAuc: 0.7911 },
      rows: { train: 84000, validation: 18000, test: 12000 },
      classBalance: { '0': 79800, '1': 34200 },
      roc: { fpr, tpr },
      pr: { recall: tpr, precision },
      calibration: {
        meanPredicted,
        // Over-confident at both ends, with bin-to-bin noise from a fixed sine.
        fractionPositive: meanPredicted.map((p, i) =>
          Math.min(1, Math.max(0, p + 0.1 * Math.sin(2 * Math.PI * p) + 0.02 * Math.sin(12.9898 * i))),
        ),
        count: meanPredicted.map((p) => Math.round(240 * (1 - p) + 20)),
      },
      confusion: {
        labels: ['0', '1'],
        matrix: [
          [7526, 874],
          [1951, 1649],
        ],
      },
      importance: features(),
      fairness: [
        attribute('region', [group('emea', 5200, 0.31), group('amer', 4300, 0.27), group('apac', 2500, 0.34)], '1'),
        attribute('device', [group('ios', 4800, 0.3), group('android', 5600, 0.29), group('web', 1600, 0.33)], '1'),
      ],
    },
    gates: [
      { name: 'min_auc', passed: true, value: 0.75, threshold: 0.7, detail: 'auc 0.750 > 0.70' },
      { name: 'beats_baseline', passed: true, value: 0.0889, threshold: 0.02, detail: 'auc margin 0.089 > 0.02' },
      { name: 'max_ece', passed: true, value: 0.0214, threshold: 0.05, detail: 'ece 0.021 <= 0.05' },
      { name: 'max_dp_difference', passed: false, value: 0.06, threshold: 0.05, detail: 'region: 0.060 > 0.05' },
    ],
    params: { objective: 'binary', learning_rate: 0.05, num_leaves: 31, min_data_in_leaf: 40, rounds: 412 },
    lineage: {
      eventsFile: 'data/events-2025-10.ndjson',
      examples: 114000,
      featureViews: ['learner_behaviour', 'session_activity'],
      split: { train: ['2025-09-01', '2025-10-05'], validation: ['2025-10-05', '2025-10-12'] },
      gitCommit: 'b1b0f40',
    },
  };
}

/** A three-class model: no ROC, PR or calibration, a 3×3 confusion matrix. */
export function multiclassReportInput(): ReportInput {
  const binary = binaryReportInput();
  const classes = ['low', 'medium', 'high'];
  const { roc: _roc, pr: _pr, calibration: _calibration, ...rest } = binary.evaluation;
  return {
    ...binary,
    model: 'engagement-tier',
    evaluation: {
      ...rest,
      task: 'multiclass',
      classes,
      metrics: { accuracy: 0.6812, macro_f1: 0.6423, mlogloss: 0.7791 },
      baseline: { name: 'majority class (medium)', metrics: { accuracy: 0.45, macro_f1: 0.2069, mlogloss: 1.0498 } },
      oracle: undefined,
      classBalance: { low: 31000, medium: 51300, high: 31700 },
      confusion: {
        labels: classes,
        matrix: [
          [2250, 900, 120],
          [610, 4020, 770],
          [90, 1330, 1910],
        ],
      },
      fairness: binary.evaluation.fairness.map((a) => ({ ...a, positiveClass: 'high' })),
    },
    gates: [
      { name: 'min_macro_f1', passed: true, value: 0.6423, threshold: 0.55, detail: 'macro_f1 0.642 > 0.55' },
      { name: 'beats_baseline', passed: true, value: 0.2312, threshold: 0.05, detail: 'accuracy margin 0.231 > 0.05' },
    ],
    params: { ...binary.params, objective: 'multiclass', num_class: 3 },
  };
}

function features(): FeatureImportanceEntry[] {
  const names = Array.from(
    { length: FEATURE_COUNT - 1 },
    (_, i) => `learner_behaviour.feature_${String(i + 1).padStart(2, '0')}`,
  );
  names.splice(3, 0, HOSTILE_FEATURE);
  // Gains decay geometrically and are normalised to shares; SHAP roughly follows with some reordering.
  const raw = names.map((_, i) => 0.8 ** i);
  const sum = raw.reduce((s, v) => s + v, 0);
  return names.map((feature, i) => ({
    feature,
    gain: raw[i] / sum,
    meanAbsShap: 0.4 * 0.83 ** i * (1 + 0.3 * Math.sin(i)),
  }));
}

function group(name: string, count: number, baseRate: number): FairnessGroup {
  const selectionRate = baseRate * 0.85 + 0.02;
  return {
    group: name,
    count,
    selectionRate,
    baseRate,
    truePositiveRate: 0.55 + baseRate / 4,
    falsePositiveRate: 0.08 + baseRate / 10,
    accuracy: 0.77 - baseRate / 20,
    auc: 0.74 + baseRate / 10,
  };
}

function attribute(name: string, groups: FairnessGroup[], positiveClass: string) {
  const rates = (pick: (g: FairnessGroup) => number) => {
    const values = groups.map(pick);
    return Math.max(...values) - Math.min(...values);
  };
  return {
    attribute: name,
    groups,
    demographicParityDifference: rates((g) => g.selectionRate),
    equalizedOddsDifference: Math.max(
      rates((g) => g.truePositiveRate ?? 0),
      rates((g) => g.falsePositiveRate ?? 0),
    ),
    positiveClass,
  };
}
