import { createDataset } from '../data/dataset';
import type { GbdtModel, Tree } from '../model/model.types';
import { compileModel, PERFECT_MAX_DEPTH, predict, predictRow } from './predict';
import { Prng } from '@pulse/core';

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
  format: 'pulse-gbdt',
  formatVersion: 1,
  objective,
  numClass,
  baseMargin: base,
  featureNames: ['x0', 'x1'],
  trees,
  treeClass: trees.map((_, i) => i % numClass),
  numRounds: trees.length / numClass,
  params: {},
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

/** The node test written out plainly over the model's own arrays (the reference the layouts must match). */
function naiveMargin(m: GbdtModel, row: number[]): number[] {
  const out = m.baseMargin.slice();
  m.trees.forEach((t, i) => {
    let n = 0;
    while (t.feature[n] >= 0) {
      const x = Math.fround(row[t.feature[n]]);
      n = x !== x ? (t.defaultLeft[n] ? t.left[n] : t.right[n]) : x < t.threshold[n] ? t.left[n] : t.right[n];
    }
    out[m.treeClass[i]] += t.value[n];
  });
  return out;
}

/** A random tree over 3 features whose leaves sit at uneven depths up to maxDepth. */
function randomTree(rng: Prng, maxDepth: number, chain = false): Tree {
  const t: Tree = { feature: [], threshold: [], left: [], right: [], defaultLeft: [], value: [], cover: [], gain: [] };
  const grow = (d: number): number => {
    const id = t.feature.length;
    t.feature.push(-1);
    t.threshold.push(0);
    t.left.push(-1);
    t.right.push(-1);
    t.defaultLeft.push(false);
    t.value.push(0);
    t.cover.push(1);
    t.gain.push(0);
    if (d < maxDepth && (chain || d === 0 || rng.next() < 0.75)) {
      t.feature[id] = rng.nextInt(3);
      t.threshold[id] = Math.fround(rng.next() * 4 - 2);
      t.defaultLeft[id] = rng.next() < 0.5;
      const l = grow(d + 1);
      const r = chain ? grow(maxDepth) : grow(d + 1);
      t.left[id] = l;
      t.right[id] = r;
    } else {
      t.value[id] = Math.round(rng.next() * 1000) / 1000 - 0.5;
    }
    return id;
  };
  grow(0);
  return t;
}

describe('compiled layouts', () => {
  const rng = new Prng(11);
  const rows: number[][] = [];
  const specials = [Number.NaN, Infinity, -Infinity, 0, -0, 1e30];
  for (let i = 0; i < 300; i++)
    rows.push([0, 1, 2].map(() => (rng.next() < 0.15 ? specials[rng.nextInt(specials.length)] : rng.next() * 4 - 2)));
  const base = { format: 'pulse-gbdt' as const, formatVersion: 1 as const, featureNames: ['a', 'b', 'c'], params: {} };
  const shallow: GbdtModel = {
    ...base,
    objective: 'reg:squarederror',
    numClass: 1,
    baseMargin: [0.1],
    trees: Array.from({ length: 23 }, () => randomTree(rng, 5)),
    treeClass: new Array(23).fill(0),
    numRounds: 23,
  };
  const deep: GbdtModel = {
    ...shallow,
    trees: [...shallow.trees, randomTree(rng, PERFECT_MAX_DEPTH + 2, true)],
    treeClass: new Array(24).fill(0),
    numRounds: 24,
  };
  const multi: GbdtModel = {
    ...base,
    objective: 'multi:softprob',
    numClass: 3,
    baseMargin: [0, 0.5, -0.5],
    trees: Array.from({ length: 15 }, () => randomTree(rng, 4)),
    treeClass: Array.from({ length: 15 }, (_, i) => i % 3),
    numRounds: 5,
  };

  it('pads shallow models to complete trees and leaves deep ones on the general layout', () => {
    expect(compileModel(shallow).perfect?.depth).toBe(5);
    expect(compileModel(deep).perfect).toBeNull();
  });
  it.each([
    ['perfect layout, 4 trees at a time plus a remainder', shallow],
    ['general layout', deep],
    ['multiclass', multi],
  ])('%s: the same margins as the plain walk, bit for bit (NaN, +-Infinity, -0 included)', (_name, m) => {
    const K = m.numClass;
    const cols = [0, 1, 2].map((f) => Float32Array.from(rows, (r) => r[f]));
    const batch = predict(m, cols, { outputMargin: true });
    const out = new Float64Array(K);
    let mismatches = 0;
    rows.forEach((row, i) => {
      const want = naiveMargin(m, row);
      predictRow(m, row, out, { outputMargin: true });
      for (let k = 0; k < K; k++) if (out[k] !== want[k] || batch[i * K + k] !== want[k]) mismatches++;
    });
    expect(mismatches).toBe(0);
  });
  it('predicts more rows than one transposed block (128), in order', () => {
    const many = Array.from({ length: 1000 }, (_, i) => rows[i % rows.length]);
    const cols = [0, 1, 2].map((f) => Float32Array.from(many, (r) => r[f]));
    const batch = predict(shallow, cols, { outputMargin: true });
    expect(Array.from(batch).every((v, i) => v === naiveMargin(shallow, many[i])[0])).toBe(true);
  });
});
