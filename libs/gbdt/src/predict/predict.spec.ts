import { createDataset } from '../data/dataset';
import type { GbdtModel, Tree } from '../model/model.types';
import { compileModel, predict, predictRow } from './predict';

// x0 < 0.5 (NaN -> right) ? (x1 < 2 (NaN -> left) ? 1 : 2) : 3
const tree: Tree = {
  feature: [0, 1, -1, -1, -1],
  threshold: [0.5, 2, 0, 0, 0],
  left: [1, 3, -1, -1, -1],
  right: [2, 4, -1, -1, -1],
  defaultLeft: [false, true, false, false, false],
  value: [0, 0, 3, 1, 2],
  cover: [4, 2, 2, 1, 1],
  gain: [1, 1, 0, 0, 0],
};
const model = (objective: GbdtModel['objective'], trees: Tree[], numClass = 1, base = [0]): GbdtModel => ({
  format: 'pulse-gbdt', formatVersion: 1, objective, numClass, baseMargin: base, featureNames: ['x0', 'x1'],
  trees, treeClass: trees.map((_, i) => i % numClass), numRounds: trees.length / numClass, params: {},
});

describe('predict', () => {
  const reg = model('reg:squarederror', [tree], 1, [0.25]);
  it.each([
    [[0, 0], 1.25],
    [[0, 2], 2.25],
    [[0.5, 0], 3.25],
    [[Math.fround(0.5) - 1e-7, 0], 1.25],
    [[NaN, 0], 3.25],
    [[0, NaN], 1.25],
    [[0.49999999999, 5], 3.25], // rounds to float32 0.5, which is not < 0.5
  ])('row %j -> %d (float32 node test, missing by default direction)', (row, expected) => {
    expect(predictRow(reg, row as number[])[0]).toBe(expected);
  });
  it('batch prediction equals row prediction', () => {
    const d = createDataset({ columns: [Float32Array.from([0, 0, 0.5, NaN]), Float32Array.from([0, 2, 0, 0])] });
    expect(Array.from(predict(reg, d))).toEqual([1.25, 2.25, 3.25, 3.25]);
  });
  it('binary: sigmoid of the margin, or the margin itself', () => {
    const bin = model('binary:logistic', [tree]);
    const cols = [Float32Array.from([0]), Float32Array.from([0])];
    expect(predict(bin, cols, { outputMargin: true })[0]).toBe(1);
    expect(predict(bin, cols)[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
  });
  it('multiclass: row-major softmax probabilities', () => {
    const mc = model('multi:softprob', [tree, tree, tree], 3, [0, 0, Math.log(2)]);
    const p = predict(mc, [Float32Array.from([0, 1]), Float32Array.from([0, 0])]);
    expect(p.length).toBe(6);
    expect(p[0]).toBeCloseTo(1 / 4, 12);
    expect(p[2]).toBeCloseTo(2 / 4, 12);
    expect(p[3] + p[4] + p[5]).toBeCloseTo(1, 12);
  });
  it('numRounds limits the trees used', () => {
    const two = model('reg:squarederror', [tree, tree]);
    expect(predict(two, [Float32Array.from([0]), Float32Array.from([0])], { numRounds: 1 })[0]).toBe(1);
  });
  it('compiles a model once', () => expect(compileModel(reg)).toBe(compileModel(reg)));
  it('rejects a wrong number of features', () => {
    expect(() => predict(reg, [Float32Array.from([0])])).toThrow(/expects 2/);
    expect(() => predictRow(reg, [1, 2, 3])).toThrow(/expects 2/);
  });
});
