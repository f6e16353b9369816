import { featureImportance, predict, ShapExplainer, type GbdtModel } from '@pulse/gbdt';
import {
  accuracy,
  argmaxRows,
  auc,
  brierScore,
  confusionMatrix,
  expectedCalibrationError,
  logloss,
  multiclassLogloss,
  precisionRecallF1,
} from '@pulse/ml-metrics';
import type { ModelSpec } from '@pulse/models';
import type { ExampleSet } from '../examples/example-set';
import type { TimeSplit } from '../split/time-split';
import { baselineOf } from './baseline';
import { calibrationCurve, prCurve, rocCurve } from './curves';
import type { Evaluation, FeatureImportanceEntry } from './evaluation.types';
import { fairnessByAttribute } from './fairness';
import { datasetOf } from '../fit/fit-model';

/** Test rows explained by TreeSHAP (a bounded cost; the mean |SHAP| settles well before). */
const SHAP_ROWS = 1000;

export interface EvaluateOptions {
  /** The simulator's true probabilities by trigger event id: scored on the same test examples. */
  readonly oracle?: ReadonlyMap<string, number>;
}

/** Predictions of the model on rows of the example set (binary: P(1); multiclass: row-major K-vectors). */
export function predictRows(model: GbdtModel, examples: ExampleSet, rows: ArrayLike<number>): Float64Array {
  return predict(model, datasetOf(examples, rows));
}

/** The model's quality on the test split: metrics, curves, importance, SHAP, fairness, baseline and oracle. */
export function evaluateModel(
  spec: ModelSpec,
  model: GbdtModel,
  examples: ExampleSet,
  split: TimeSplit,
  options: EvaluateOptions = {},
): Evaluation {
  const rows = split.test;
  const y = examples.labels(rows);
  const scores = predictRows(model, examples, rows);
  const K = spec.classes.length;
  const binary = spec.task === 'binary';
  const predicted = binary ? Float64Array.from(scores, (p) => (p >= 0.5 ? 1 : 0)) : argmaxRows(scores, K);
  const metrics: Record<string, number> = {};
  if (binary) {
    const pr = prCurve(y, scores);
    Object.assign(metrics, {
      auc: auc(y, scores),
      pr_auc: pr.averagePrecision,
      logloss: logloss(y, scores),
      brier: brierScore(y, scores),
      ece: expectedCalibrationError(y, scores),
      accuracy: accuracy(y, predicted),
      positive_rate: y.reduce((a, b) => a + b, 0) / y.length,
    });
  } else {
    Object.assign(metrics, {
      accuracy: accuracy(y, predicted),
      macro_f1: precisionRecallF1(y, predicted, { average: 'macro', labels: [...Array(K).keys()] }).f1,
      mlogloss: multiclassLogloss(y, scores, { numClass: K }),
    });
  }
  const positive = binary ? 1 : spec.classes.indexOf(spec.positiveClass ?? spec.classes[K - 1]);
  const positiveScore = binary ? scores : Float64Array.from(rows, (_, i) => scores[i * K + positive]);
  const isPositive = (v: number) => (v === positive ? 1 : 0);
  const fairness = spec.fairnessAttributes.map((attribute) =>
    fairnessByAttribute(
      attribute,
      Array.from(rows, (r) => examples.groups[attribute][r]),
      Float64Array.from(y, isPositive),
      Float64Array.from(predicted, isPositive),
      positiveScore,
      spec.classes[positive],
      Array.from(rows, (r) => examples.entityIds[r]),
    ),
  );
  const cm = confusionMatrix(y, predicted, { labels: [...Array(K).keys()] });
  const classBalance: Record<string, number> = Object.fromEntries(spec.classes.map((c) => [c, 0]));
  for (let i = 0; i < examples.size; i++) classBalance[spec.classes[examples.label(i)]]++;

  let oracle: Evaluation['oracle'];
  if (options.oracle) {
    const matched: number[] = [];
    const probs: number[] = [];
    Array.from(rows).forEach((r, i) => {
      const p = options.oracle!.get(examples.triggerIds[r]);
      if (p !== undefined) {
        matched.push(i);
        probs.push(p);
      }
    });
    if (matched.length > 0) {
      const ym = matched.map((i) => y[i]);
      oracle = {
        auc: auc(ym, probs),
        matched: matched.length,
        modelAuc: auc(
          ym,
          matched.map((i) => scores[i]),
        ),
      };
    }
  }

  return {
    task: spec.task,
    classes: spec.classes,
    metrics,
    baseline: baselineOf(spec, examples, split),
    oracle,
    rows: { train: split.train.length, validation: split.validation.length, test: rows.length },
    classBalance,
    ...(binary ? { roc: rocCurve(y, scores), pr: prCurve(y, scores), calibration: calibrationCurve(y, scores) } : {}),
    confusion: { labels: spec.classes, matrix: cm.matrix.map((r) => Array.from(r)) },
    importance: importanceOf(model, examples, rows),
    fairness,
  };
}

function importanceOf(model: GbdtModel, examples: ExampleSet, rows: ArrayLike<number>): FeatureImportanceEntry[] {
  const gain = featureImportance(model, 'total_gain', { includeUnused: true });
  const total = Object.values(gain).reduce((a, b) => a + b, 0) || 1;
  const explainer = new ShapExplainer(model);
  const F = examples.width;
  const sums = new Float64Array(F);
  const step = Math.max(1, Math.floor(rows.length / SHAP_ROWS));
  let n = 0;
  for (let i = 0; i < rows.length; i += step, n++) {
    const shap = explainer.explain(examples.row(rows[i]));
    for (let k = 0; k < shap.numOutputs; k++)
      for (let f = 0; f < F; f++) sums[f] += Math.abs(shap.contributions[k * F + f]);
  }
  return examples.featureNames
    .map((feature, f) => ({ feature, gain: (gain[feature] ?? 0) / total, meanAbsShap: n ? sums[f] / n : 0 }))
    .sort((a, b) => b.meanAbsShap - a.meanAbsShap || b.gain - a.gain);
}
