import { calibrationCurve, prCurve, rocCurve } from './curves';
import { fairnessByAttribute } from './fairness';

// Worked by hand from the definitions sklearn uses (roc_curve with drop_intermediate=False,
// average_precision_score, calibration_curve with uniform bins), the metrics lib's sample.
const y = [0, 1, 1, 0, 1, 0, 0, 1, 1, 0];
const s = [0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.4, 0.9, 0.4, 0.05]; // three ties at 0.4

describe('curves', () => {
  it('ROC steps once per distinct threshold, ties together', () => {
    expect(rocCurve(y, s)).toEqual({
      fpr: [0, 0, 0.2, 0.2, 0.4, 0.4, 0.6, 0.8, 1],
      tpr: [0, 0.2, 0.2, 0.4, 0.8, 1, 1, 1, 1],
    });
  });
  it('average precision is the step-wise area (sklearn)', () =>
    expect(prCurve(y, s).averagePrecision).toBeCloseTo(0.742857142857, 10));
  it('PR points pair recall with precision per threshold', () => {
    const pr = prCurve(y, s);
    expect(pr.recall.slice(0, 5)).toEqual([0.2, 0.2, 0.4, 0.8, 1]);
    expect(pr.precision.slice(0, 5).map((p) => +p.toFixed(6))).toEqual([1, 0.5, 0.666667, 0.666667, 0.714286]);
  });
  it('calibration bins by predicted probability, empty bins left out', () => {
    const c = calibrationCurve(y, s, 5);
    expect(c.meanPredicted.map((v) => +v.toFixed(6))).toEqual([0.075, 0.275, 0.4, 0.7, 0.85]);
    expect(c.fractionPositive.map((v) => +v.toFixed(6))).toEqual([0, 0.5, 0.666667, 1, 0.5]);
    expect(c.count).toEqual([2, 2, 3, 1, 2]);
  });
  it('thins long curves to at most 200 points, keeping both ends', () => {
    const n = 5000;
    const yy = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const ss = Array.from({ length: n }, (_, i) => i / n);
    const roc = rocCurve(yy, ss);
    expect(roc.fpr.length).toBe(200);
    expect([roc.fpr[0], roc.tpr[0], roc.fpr[199], roc.tpr[199]]).toEqual([0, 0, 1, 1]);
  });
});

describe('fairness (Fairlearn definitions)', () => {
  // group a: everyone selected; group b: one of four
  const groups = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', ''];
  const actual = [1, 1, 0, 0, 1, 1, 0, 0, 1];
  const predicted = [1, 1, 1, 1, 1, 0, 0, 0, 1];
  const scores = [0.9, 0.8, 0.7, 0.6, 0.9, 0.4, 0.3, 0.2, 0.5];
  const f = fairnessByAttribute('region', groups, actual, predicted, scores, '1');

  it('gives per-group selection, base, true- and false-positive rates, accuracy and AUC', () => {
    expect(f.groups).toEqual([
      {
        group: 'a',
        count: 4,
        selectionRate: 1,
        baseRate: 0.5,
        truePositiveRate: 1,
        falsePositiveRate: 1,
        accuracy: 0.5,
        auc: 1,
      },
      {
        group: 'b',
        count: 4,
        selectionRate: 0.25,
        baseRate: 0.5,
        truePositiveRate: 0.5,
        falsePositiveRate: 0,
        accuracy: 0.75,
        auc: 1,
      },
    ]);
  });
  it('demographic parity difference = max − min selection rate', () =>
    expect(f.demographicParityDifference).toBe(0.75));
  it('equalized odds difference = the larger of the TPR and FPR spreads', () =>
    expect(f.equalizedOddsDifference).toBe(1));
  it('is 0 with a single group, and a one-class group has no AUC or missing rate', () => {
    const one = fairnessByAttribute('role', ['x', 'x'], [1, 1], [1, 0], [0.9, 0.1], '1');
    expect(one.demographicParityDifference).toBe(0);
    expect(one.groups[0]).toMatchObject({ auc: null, falsePositiveRate: null, truePositiveRate: 0.5 });
  });
});

describe('fairness gaps beyond sampling noise', () => {
  // 4 entities per group, 10 rows each; selection decided per entity (rows of an entity move together)
  const rows = (selectedEntities: number[], group: string, offset: number) =>
    Array.from({ length: 40 }, (_, i) => ({
      group,
      entity: `${group}${Math.floor(i / 10)}`,
      selected: selectedEntities.includes(Math.floor(i / 10)) ? 1 : 0,
      actual: i % 2,
      score: offset + i / 100,
    }));
  const fair = (data: ReturnType<typeof rows>) =>
    fairnessByAttribute(
      'g',
      data.map((r) => r.group),
      data.map((r) => r.actual),
      data.map((r) => r.selected),
      data.map((r) => r.score),
      '1',
      data.map((r) => r.entity),
    );

  it('discounts a gap that a few clustered entities explain', () => {
    const f = fair([...rows([0, 1], 'a', 0), ...rows([0], 'b', 0)]);
    expect(f.demographicParityDifference).toBe(0.25);
    expect(f.demographicParityLowerBound).toBe(0); // 4 entities a group cannot show a real 0.25 gap
  });
  it('keeps a gap that many entities show', () => {
    const many = (group: string, share: number) =>
      Array.from({ length: 400 }, (_, i) => ({
        group,
        entity: `${group}${i}`,
        selected: i < share * 400 ? 1 : 0,
        actual: i % 2,
        score: i / 400,
      }));
    const f = fair([...many('a', 0.6), ...many('b', 0.2)]);
    expect(f.demographicParityDifference).toBeCloseTo(0.4, 12);
    expect(f.demographicParityLowerBound!).toBeGreaterThan(0.3);
  });
});
