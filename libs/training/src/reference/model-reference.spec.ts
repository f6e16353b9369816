import { Prng } from '@pulse/core';
import { DriftWindow, windowDrift } from '@pulse/drift';
import { createDataset, trainSync } from '@pulse/gbdt';
import { lessonCompletionModel } from '@pulse/models';
import { ExampleSet } from '../examples/example-set';
import { buildModelReference, CALIBRATION_MIN_ROWS, CALIBRATION_WINDOW_MS } from './model-reference';

const DAY = CALIBRATION_WINDOW_MS;
const D0 = Date.UTC(2026, 2, 2);

/** `perDay` rows on each of `days` days: x ~ N(shift(day), 1), a second feature always missing. */
function examples(days: number, perDay: number, shift: (day: number) => number = () => 0): ExampleSet {
  const rng = new Prng('model-reference');
  const set = new ExampleSet(['x', 'never'], []);
  for (let d = 0; d < days; d++)
    for (let i = 0; i < perDay; i++) {
      const x = rng.normal(shift(d), 1);
      set.add(
        Float32Array.of(x, NaN),
        rng.bernoulli(1 / (1 + Math.exp(-x))) ? 1 : 0,
        D0 + d * DAY + i * 1000,
        `e${i}`,
        '',
        {},
      );
    }
  return set;
}

function model(set: ExampleSet) {
  const rows = Int32Array.from({ length: set.size }, (_, i) => i);
  const data = createDataset({
    columns: set.columns(rows),
    featureNames: [...set.featureNames],
    label: set.labels(rows),
  });
  return trainSync({ objective: 'binary:logistic', num_boost_round: 5, max_depth: 2 }, data).model;
}

const all = (set: ExampleSet) => Int32Array.from({ length: set.size }, (_, i) => i);

describe('buildModelReference', () => {
  const set = examples(6, 200);
  const gbdt = model(set);

  it('profiles the rows it is given, leaves out a feature without values, and records their time span', () => {
    const newest = Int32Array.from({ length: 400 }, (_, i) => 800 + i);
    const ref = buildModelReference(lessonCompletionModel, gbdt, set, newest);
    expect(ref.rows).toBe(400);
    expect(Object.keys(ref.features)).toEqual(['x']);
    expect(ref.features.x.total).toBe(400);
    expect(ref.fromMs).toBe(D0 + 4 * DAY);
    expect(ref.untilMs).toBe(D0 + 5 * DAY + 199 * 1000 + 1);
    expect(ref.score.total).toBe(400);
  });

  it("calibrates on each full UTC day: the PSI of the day's rows against the whole reference, as mean and std", () => {
    const ref = buildModelReference(lessonCompletionModel, gbdt, set, all(set));
    expect(ref.calibration).toMatchObject({ windowMs: DAY, chunks: 6 });
    const psis = Array.from({ length: 6 }, (_, d) => {
      const values = Array.from({ length: 200 }, (_, i) => set.row(d * 200 + i)[0]);
      return windowDrift(new DriftWindow(ref.features.x).addAll(values)).psi;
    });
    const mean = psis.reduce((a, b) => a + b, 0) / 6;
    const std = Math.sqrt(psis.reduce((a, b) => a + (b - mean) ** 2, 0) / 6);
    expect(ref.calibration!.psi.x.mean).toBeCloseTo(mean, 12);
    expect(ref.calibration!.psi.x.std).toBeCloseTo(std, 12);
    expect(ref.calibration!.psi.never).toBeUndefined();
    expect(ref.calibration!.score!.mean).toBeGreaterThan(0);
  });

  it('a reference whose days move apart has a wider spread than a stationary one', () => {
    const moving = examples(6, 200, (d) => d * 0.3);
    const still = buildModelReference(lessonCompletionModel, gbdt, set, all(set)).calibration!.psi.x;
    const wide = buildModelReference(lessonCompletionModel, gbdt, moving, all(moving)).calibration!.psi.x;
    expect(wide.mean).toBeGreaterThan(3 * still.mean);
  });

  it('gives no calibration with fewer than three days of enough rows', () => {
    const thin = examples(6, CALIBRATION_MIN_ROWS - 1);
    expect(buildModelReference(lessonCompletionModel, gbdt, thin, all(thin)).calibration).toBeUndefined();
    const short = examples(2, 200);
    expect(buildModelReference(lessonCompletionModel, gbdt, short, all(short)).calibration).toBeUndefined();
  });

  it('refuses an empty row set', () => {
    expect(() => buildModelReference(lessonCompletionModel, gbdt, set, new Int32Array(0))).toThrow(RangeError);
  });
});
