import { featureImportance } from './feature-importance';
import { buildTree, makeModel } from './tiny-models.fixture';

// Tree A: root f0 (gain 10, cover 6) -> left f1 (gain 4, cover 4) -> leaves 1 | 3, right leaf 2.
// Tree B: root f1 (gain 6, cover 5) -> left leaf 2, right f0 (gain 2, cover 3) -> leaves 1 | 2.
// f2 is never split on; f3 only in the third tree, which numRounds leaves out.
const treeA = buildTree({
  split: {
    feature: 0,
    threshold: 0,
    gain: 10,
    left: { split: { feature: 1, threshold: 0, gain: 4, left: { value: 1, cover: 1 }, right: { value: 1, cover: 3 } } },
    right: { value: 1, cover: 2 },
  },
});
const treeB = buildTree({
  split: {
    feature: 1,
    threshold: 0,
    gain: 6,
    left: { value: 1, cover: 2 },
    right: {
      split: { feature: 0, threshold: 0, gain: 2, left: { value: 1, cover: 1 }, right: { value: 1, cover: 2 } },
    },
  },
});
const treeC = buildTree({
  split: { feature: 3, threshold: 0, gain: 100, left: { value: 1, cover: 50 }, right: { value: 1, cover: 50 } },
});
const model = { ...makeModel('binary:logistic', [treeA, treeB, treeC], { numFeatures: 4 }), numRounds: 2 };

describe('featureImportance (XGBoost get_score definitions)', () => {
  it('covers recorded as the children sum', () =>
    expect([treeA.cover[0], treeA.cover[1], treeB.cover[0], treeB.cover[2]]).toEqual([6, 4, 5, 3]));
  it('weight = number of splits', () => expect(featureImportance(model, 'weight')).toEqual({ f0: 2, f1: 2 }));
  it('total_gain = 10 + 2 and 4 + 6', () => expect(featureImportance(model, 'total_gain')).toEqual({ f0: 12, f1: 10 }));
  it('gain = total_gain / weight', () => expect(featureImportance(model, 'gain')).toEqual({ f0: 6, f1: 5 }));
  it('total_cover = 6 + 3 and 4 + 5', () => expect(featureImportance(model, 'total_cover')).toEqual({ f0: 9, f1: 9 }));
  it('cover = total_cover / weight', () => expect(featureImportance(model, 'cover')).toEqual({ f0: 4.5, f1: 4.5 }));
  it('default type is weight', () => expect(featureImportance(model)).toEqual({ f0: 2, f1: 2 }));
  it('includeUnused lists never-split features as 0', () =>
    expect(featureImportance(model, 'gain', { includeUnused: true })).toEqual({ f0: 6, f1: 5, f2: 0, f3: 0 }));
  it('trees past numRounds do not count', () =>
    expect(featureImportance({ ...model, numRounds: 3 }, 'weight')).toEqual({ f0: 2, f1: 2, f3: 1 }));
  it('multiclass counts every class tree', () =>
    expect(
      featureImportance(
        makeModel('multi:softprob', [treeA, treeB, treeC], { numFeatures: 4, numClass: 3 }),
        'total_gain',
      ),
    ).toEqual({ f0: 12, f1: 10, f3: 100 }));
  it('uses the model feature names', () =>
    expect(featureImportance({ ...model, featureNames: ['age', 'spend', 'x', 'y'] }, 'weight')).toEqual({
      age: 2,
      spend: 2,
    }));
  it('an unknown type is a RangeError naming the choices', () =>
    expect(() => featureImportance(model, 'split' as 'weight')).toThrow(
      'importance type must be one of weight, gain, total_gain, cover, total_cover, got "split"',
    ));
  it('a split on a feature the model lacks is a RangeError', () =>
    expect(() => featureImportance({ ...model, featureNames: ['a'] }, 'weight')).toThrow('feature 1 is out of range'));
});
