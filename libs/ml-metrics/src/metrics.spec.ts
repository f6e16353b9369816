import {
  accuracy,
  argmaxRows,
  auc,
  aucStandardError,
  brierScore,
  classificationError,
  confusionMatrix,
  expectedCalibrationError,
  f1Score,
  logloss,
  mae,
  mapAtK,
  multiclassLogloss,
  ndcgAtK,
  precision,
  precisionRecallF1,
  r2,
  recall,
  rmse,
  thresholdLabels,
} from './index';

// Reference values computed once with sklearn 1.2.1 and XGBoost 1.7.4 (Debian's /usr/bin/python3):
// sklearn.metrics for the classification / regression metrics, and for the ranking metrics
// xgb.train({'objective': 'rank:ndcg', 'eta': 0, 'eval_metric': m}, 1 round) on a DMatrix whose
// base_margin is the scores below, so XGBoost's own evaluation log scores exactly these scores.
const y = [0, 1, 1, 0, 1, 0, 0, 1, 1, 0];
const s = [0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.4, 0.9, 0.4, 0.05]; // three ties at 0.4
const w = [1, 2, 1, 0.5, 1, 3, 1, 1, 2, 1];
const yc = [0, 2, 1, 2, 0, 1];
const P = [0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.2, 0.5, 0.3, 0.3, 0.3, 0.4, 0.5, 0.4, 0.1, 0.6, 0.3, 0.1];
const yt = [0, 1, 1, 0, 1, 0, 0, 1, 1, 0];
const yp = [0, 1, 0, 0, 1, 1, 0, 1, 1, 1];
const mt = [0, 1, 2, 2, 1, 0, 2, 1, 0, 2];
const mp = [0, 2, 2, 2, 1, 0, 1, 1, 1, 0];
const yr = [3.0, -0.5, 2.0, 7.0, 4.2];
const pr = [2.5, 0.0, 2.0, 8.0, 3.9];
const wr = [1, 2, 1, 0.5, 1];
const rel = [3, 2, 3, 0, 1, 2, 0, 0, 1, 0, 0, 0, 2, 1, 0, 0];
const sc = [0.5, 0.1, 0.9, 0.3, 0.2, 0.7, 0.2, 0.8, 0.1, 0.3, 0.1, 0.2, 0.1, 0.4, 0.9, 0.6];
const group = [6, 3, 3, 4];

describe('probability metrics (sklearn reference)', () => {
  it('auc with ties', () => expect(auc(y, s)).toBeCloseTo(0.76, 12));
  it('auc weighted', () => expect(auc(y, s, { weights: w })).toBeCloseTo(0.8681318681318682, 12));
  it('auc on a typed array', () => expect(auc(Float32Array.from(y), Float64Array.from(s))).toBeCloseTo(0.76, 12));
  it('auc of a perfect ranking', () => expect(auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1));
  it('auc of all-tied scores', () => expect(auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5));
  it('auc with unit weights equals the unweighted (class-sorted) path exactly, ties and -0 included', () => {
    const yy = Array.from({ length: 400 }, (_, i) => ((i * 7919) % 3 === 0 ? 1 : 0));
    const ss = Array.from({ length: 400 }, (_, i) => (i % 17 === 0 ? -0 : Math.round(Math.sin(i) * 20) / 20));
    expect(auc(yy, ss)).toBe(auc(yy, ss, { weights: new Array(400).fill(1) }));
  });
  it('logloss', () => expect(logloss(y, s)).toBeCloseTo(0.5844499945403224, 12));
  it('logloss weighted', () => expect(logloss(y, s, { weights: w })).toBeCloseTo(0.5421221893009558, 12));
  it('logloss clips at eps 2^-52 by default', () => expect(logloss([1, 0], [0, 1])).toBeCloseTo(36.04365338911715, 6));
  it('logloss with eps 1e-15', () =>
    expect(logloss([1, 0], [0, 1], { eps: 1e-15 })).toBeCloseTo((-Math.log(1e-15) - Math.log(1 - (1 - 1e-15))) / 2, 9));
  it('multiclass logloss', () => expect(multiclassLogloss(yc, P)).toBeCloseTo(0.7290097441707841, 12));
  it('multiclass logloss weighted', () =>
    expect(multiclassLogloss(yc, P, { weights: [1, 2, 1, 1, 3, 1] })).toBeCloseTo(0.6967976055456206, 12));
  it('brier', () => expect(brierScore(y, s)).toBeCloseTo(0.2095, 12));
  it('brier weighted', () => expect(brierScore(y, s, { weights: w })).toBeCloseTo(0.19074074074074077, 12));
  // ECE by hand: 10 equal-width bins -> (0.05+0.1+0.2+0.65+3*|2/3-0.4|+0.3+0.8+0.1)/10.
  it('ece, 10 bins', () => expect(expectedCalibrationError(y, s)).toBeCloseTo(0.3, 12));
  it('ece, 2 bins', () => expect(expectedCalibrationError(y, s, { bins: 2 })).toBeCloseTo((1.1 + 0.4) / 10, 12));
  it('ece puts p = 1 in the last bin', () => expect(expectedCalibrationError([1], [1], { bins: 4 })).toBe(0));
  it('ece of a calibrated bin is 0', () => expect(expectedCalibrationError([0, 1], [0.5, 0.5])).toBe(0));
});

describe('label metrics (sklearn reference)', () => {
  it('accuracy', () => expect(accuracy(yt, yp)).toBeCloseTo(0.7, 12));
  it('accuracy weighted', () => expect(accuracy(yt, yp, { weights: w })).toBeCloseTo(0.6296296296296297, 12));
  it('binary precision', () => expect(precision(yt, yp)).toBeCloseTo(0.6666666666666666, 12));
  it('binary recall', () => expect(recall(yt, yp)).toBeCloseTo(0.8, 12));
  it('binary f1', () => expect(f1Score(yt, yp)).toBeCloseTo(0.7272727272727272, 12));
  it('binary weighted', () =>
    expect(precisionRecallF1(yt, yp, { weights: w })).toEqual({
      precision: expect.closeTo(0.6, 12),
      recall: expect.closeTo(0.8571428571428571, 12),
      f1: expect.closeTo(0.7058823529411764, 12),
    }));
  it('macro', () =>
    expect(precisionRecallF1(mt, mp, { average: 'macro' })).toEqual({
      precision: expect.closeTo(0.611111111111111, 12),
      recall: expect.closeTo(0.611111111111111, 12),
      f1: expect.closeTo(0.6031746031746033, 12),
    }));
  it('macro with a never-predicted class', () =>
    expect(precisionRecallF1([0, 0, 1, 1], [0, 0, 0, 0], { average: 'macro' })).toEqual({
      precision: 0.25,
      recall: 0.5,
      f1: expect.closeTo(1 / 3, 12),
    }));
  it('confusion matrix', () =>
    expect(confusionMatrix(mt, mp)).toEqual({
      labels: [0, 1, 2],
      matrix: [
        [2, 1, 0],
        [0, 2, 1],
        [1, 1, 2],
      ],
    }));
  it('confusion matrix with given labels', () =>
    expect(confusionMatrix([1, 0], [1, 1], { labels: [1, 0] }).matrix).toEqual([
      [1, 0],
      [1, 0],
    ]));
  it('thresholdLabels', () => expect(Array.from(thresholdLabels([0.2, 0.5, 0.9]))).toEqual([0, 1, 1]));
  it('thresholdLabels strict (XGBoost error: 0.5 is negative)', () =>
    expect(Array.from(thresholdLabels([0.2, 0.5, 0.9], 0.5, { strict: true }))).toEqual([0, 0, 1]));
  it('classification error', () => expect(classificationError(yt, yp)).toBeCloseTo(0.3, 12));
  it('classification error weighted', () =>
    expect(classificationError(yt, yp, { weights: w })).toBeCloseTo(1 - 0.6296296296296297, 12));
  it('argmaxRows', () => expect(Array.from(argmaxRows(P, 3))).toEqual([0, 2, 1, 2, 0, 0]));
});

describe('regression metrics (sklearn reference)', () => {
  it('rmse', () => expect(rmse(yr, pr)).toBeCloseTo(0.5639148871948674, 12));
  it('rmse weighted', () => expect(rmse(yr, pr, { weights: wr })).toBeCloseTo(0.4935953440181174, 12));
  it('mae', () => expect(mae(yr, pr)).toBeCloseTo(0.46, 12));
  it('mae weighted', () => expect(mae(yr, pr, { weights: wr })).toBeCloseTo(0.4181818181818182, 12));
  it('r2', () => expect(r2(yr, pr)).toBeCloseTo(0.9480256276150627, 12));
  it('r2 weighted', () => expect(r2(yr, pr, { weights: wr })).toBeCloseTo(0.956424052503991, 12));
  it('r2 of constant truth, perfect', () => expect(r2([2, 2], [2, 2])).toBe(1));
  it('r2 of constant truth, imperfect', () => expect(r2([2, 2], [1, 2])).toBe(0));
});

describe('ranking metrics (XGBoost 1.7.4 reference)', () => {
  it('ndcg@1', () => expect(ndcgAtK(rel, sc, 1, { group })).toBeCloseTo(0.5, 6));
  it('ndcg@2', () => expect(ndcgAtK(rel, sc, 2, { group })).toBeCloseTo(0.44473531325220839, 6));
  it('ndcg@3', () => expect(ndcgAtK(rel, sc, 3, { group })).toBeCloseTo(0.6492898226951932, 6));
  it('ndcg@5', () => expect(ndcgAtK(rel, sc, 5, { group })).toBeCloseTo(0.71728501272434286, 6));
  it('ndcg (whole list)', () => expect(ndcgAtK(rel, sc, Infinity, { group })).toBeCloseTo(0.73558910576226744, 6));
  it('ndcg@3- (empty query scores 0)', () =>
    expect(ndcgAtK(rel, sc, 3, { group, emptyQueryScore: 0 })).toBeCloseTo(0.3992898226951932, 6));
  it('ndcg@3 of one query (sklearn on 2^rel-1 gains)', () =>
    expect(ndcgAtK(rel.slice(0, 6), sc.slice(0, 6), 3)).toBeCloseTo(0.9594535145926797, 12));
  it('ndcg ties keep input order', () => expect(ndcgAtK([0, 1], [0.5, 0.5], 1)).toBe(0));
  it('map@1', () => expect(mapAtK(rel, sc, 1, { group })).toBeCloseTo(0.3, 6));
  it('map@3', () => expect(mapAtK(rel, sc, 3, { group })).toBeCloseTo(0.525, 6));
  it('map@5', () => expect(mapAtK(rel, sc, 5, { group })).toBeCloseTo(0.6275, 6));
  it('map (whole list)', () => expect(mapAtK(rel, sc, Infinity, { group })).toBeCloseTo(0.66916666666666658, 6));
  it('map@3- (empty query scores 0)', () =>
    expect(mapAtK(rel, sc, 3, { group, emptyQueryScore: 0 })).toBeCloseTo(0.275, 6));
});

describe('guards name the argument', () => {
  it('length mismatch', () =>
    expect(() => auc([0, 1], [0.1])).toThrow(
      new RangeError('scores has 1 values but yTrue has 2; they must have the same length'),
    ));
  it('empty input', () => expect(() => rmse([], [])).toThrow(new RangeError('yTrue must not be empty')));
  it('not an array', () => expect(() => mae(5 as any, [1])).toThrow(TypeError));
  it('k < 1', () =>
    expect(() => ndcgAtK([1], [1], 0)).toThrow(new RangeError('k must be an integer >= 1 (or Infinity), got 0')));
  it('fractional k', () => expect(() => mapAtK([1], [1], 1.5)).toThrow(/k must be an integer/));
  it('one-class auc', () => expect(() => auc([1, 1], [0.2, 0.3])).toThrow(/both classes/));
  it('non-binary label', () =>
    expect(() => logloss([0, 2], [0.1, 0.2])).toThrow(new RangeError('yTrue[1] must be 0 or 1, got 2')));
  it('probability out of range', () =>
    expect(() => brierScore([0, 1], [0.1, 1.2])).toThrow(/probs\[1\] must be a probability/));
  it('NaN score', () => expect(() => auc([0, 1], [NaN, 1])).toThrow(/scores\[0\] is NaN/));
  it('negative weight', () => expect(() => rmse([1], [1], { weights: [-1] })).toThrow(/weights\[0\]/));
  it('weights length', () =>
    expect(() => accuracy([1, 0], [1, 0], { weights: [1] })).toThrow(/weights has 1 values, expected 2/));
  it('multiclass label out of range', () =>
    expect(() => multiclassLogloss([0, 3], [0.5, 0.5, 0.5, 0.5])).toThrow(
      /yTrue\[1\] must be an integer class in \[0, 1\]/,
    ));
  it('multiclass probs shape', () =>
    expect(() => multiclassLogloss([0, 1], [0.5, 0.5, 1])).toThrow(/probs has 3 values/));
  it('group sizes sum', () =>
    expect(() => ndcgAtK([1, 0], [1, 0], 1, { group: [1] })).toThrow(/group sizes sum to 1, expected 2/));
  it('bins < 1', () =>
    expect(() => expectedCalibrationError([1], [1], { bins: 0 })).toThrow(/bins must be an integer >= 1/));
  it('bad average', () =>
    expect(() => precisionRecallF1([1], [1], { average: 'micro' as any })).toThrow(/average must be/));
});

describe('aucStandardError (Hanley & McNeil 1982)', () => {
  it('A = 0.8, 50 and 50 rows: 0.0445', () => expect(aucStandardError(0.8, 50, 50)).toBeCloseTo(0.0445, 4));
  it('A = 0.5, 100 and 100 rows: 0.0409', () => expect(aucStandardError(0.5, 100, 100)).toBeCloseTo(0.040927, 5));
  it('is 0 at a perfect AUC', () => expect(aucStandardError(1, 30, 40)).toBe(0));
  it('refuses an AUC outside [0, 1]', () => expect(() => aucStandardError(1.2, 5, 5)).toThrow(RangeError));
  it('refuses an empty class', () => expect(() => aucStandardError(0.7, 0, 5)).toThrow(/positives/));

  it('matches the spread of AUCs over repeated samples (binormal, within 12 %)', () => {
    let s = 12345;
    const uniform = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
    const aucs: number[] = [];
    for (let r = 0; r < 400; r++) {
      const y = Array.from({ length: 300 }, (_, i) => (i < 100 ? 1 : 0));
      aucs.push(
        auc(
          y,
          y.map((v) => normal() + (v ? 1.2 : 0)),
        ),
      );
    }
    const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
    const sd = Math.sqrt(aucs.reduce((a, b) => a + (b - mean) ** 2, 0) / (aucs.length - 1));
    expect(Math.abs(aucStandardError(mean, 100, 200) / sd - 1)).toBeLessThan(0.12);
  });
});
