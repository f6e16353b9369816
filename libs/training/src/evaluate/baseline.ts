import { accuracy, auc, logloss, multiclassLogloss, precisionRecallF1 } from '@pulse/ml-metrics';
import type { ModelSpec } from '@pulse/models';
import type { ExampleSet } from '../examples/example-set';
import type { TimeSplit } from '../split/time-split';
import type { BaselineResult } from './evaluation.types';

/**
 * The yardstick a model must beat. Multiclass: always the training split's majority class (its
 * probabilities the training class shares). Binary: one feature's value as the score — the spec's
 * baseline feature — calibrated to a probability by its deciles on the training split.
 */
export function baselineOf(spec: ModelSpec, examples: ExampleSet, split: TimeSplit): BaselineResult {
  const yTest = examples.labels(split.test);
  if (spec.task === 'multiclass') {
    const K = spec.classes.length;
    const counts = new Float64Array(K);
    for (const r of split.train) counts[examples.label(r)]++;
    const shares = Array.from(counts, (c) => c / split.train.length);
    const majority = shares.indexOf(Math.max(...shares));
    const predicted = new Float64Array(yTest.length).fill(majority);
    const probs = new Float64Array(yTest.length * K);
    for (let i = 0; i < yTest.length; i++) probs.set(shares, i * K);
    return {
      name: `majority class (${spec.classes[majority]})`,
      metrics: {
        accuracy: accuracy(yTest, predicted),
        macro_f1: precisionRecallF1(yTest, predicted, { average: 'macro', labels: [...Array(K).keys()] }).f1,
        mlogloss: multiclassLogloss(yTest, probs, { numClass: K }),
      },
    };
  }
  const feature = spec.baselineFeature ?? examples.featureNames[0];
  const f = examples.featureNames.indexOf(feature);
  if (f < 0) throw new RangeError(`baseline feature ${feature} is not an input of ${spec.name}`);
  const calibrate = decileCalibration(
    Array.from(split.train, (r) => examples.row(r)[f]),
    Array.from(split.train, (r) => examples.label(r)),
  );
  const probs = Float64Array.from(split.test, (r) => calibrate(examples.row(r)[f]));
  return {
    name: `single feature ${feature}`,
    metrics: {
      auc: auc(yTest, probs),
      logloss: logloss(yTest, probs),
      accuracy: accuracy(
        yTest,
        Float64Array.from(probs, (p) => (p >= 0.5 ? 1 : 0)),
      ),
    },
  };
}

/** Maps a value to the positive rate of its training decile (missing values: their own bin). */
function decileCalibration(values: number[], labels: number[]): (v: number) => number {
  const present = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const edges = [
    ...new Set([1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => present[Math.floor((k * present.length) / 10)])),
  ].filter((e) => e !== undefined);
  const bin = (v: number) => (Number.isNaN(v) ? edges.length + 1 : edges.filter((e) => v >= e).length);
  const hits = new Float64Array(edges.length + 2);
  const count = new Float64Array(edges.length + 2);
  values.forEach((v, i) => {
    hits[bin(v)] += labels[i];
    count[bin(v)]++;
  });
  const prior = labels.reduce((a, b) => a + b, 0) / Math.max(1, labels.length);
  // a little smoothing toward the prior keeps empty or tiny bins finite for logloss
  return (v) => (hits[bin(v)] + prior) / (count[bin(v)] + 1);
}
