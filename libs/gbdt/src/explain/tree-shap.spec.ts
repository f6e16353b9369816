import type { GbdtModel, Tree } from '../model/model.types';
import { predict } from '../predict/predict';
import { buildTree, makeModel, randomModel, referenceMargin, rng, type NodeSpec } from './tiny-models.fixture';
import { ShapExplainer, shapValues } from './tree-shap';

/** Path-dependent value of subset S for one tree: features outside S are averaged out by cover share. */
function treeValue(t: Tree, x: ArrayLike<number>, inS: boolean[], n = 0): number {
  const f = t.feature[n];
  if (f < 0) return t.value[n];
  const l = t.left[n];
  const r = t.right[n];
  if (inS[f]) {
    const v = Math.fround(x[f]);
    const left = Number.isNaN(v) ? t.defaultLeft[n] : v < t.threshold[n];
    return treeValue(t, x, inS, left ? l : r);
  }
  const sum = t.cover[l] + t.cover[r];
  const wl = sum > 0 ? t.cover[l] / sum : 0.5;
  return wl * treeValue(t, x, inS, l) + (1 - wl) * treeValue(t, x, inS, r);
}

/** Shapley values by enumerating every subset (F <= ~10). */
function bruteForce(model: GbdtModel, x: ArrayLike<number>): { phi: number[][]; bias: number[] } {
  const F = model.featureNames.length;
  const K = model.baseMargin.length;
  const v = (mask: number, k: number): number => {
    const inS = Array.from({ length: F }, (_, f) => ((mask >> f) & 1) === 1);
    let s = model.baseMargin[k];
    model.trees.forEach((t, i) => {
      if (model.treeClass[i] === k) s += treeValue(t, x, inS);
    });
    return s;
  };
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const phi = Array.from({ length: K }, () => new Array<number>(F).fill(0));
  const bias = Array.from({ length: K }, (_, k) => v(0, k));
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < F; i++) {
      for (let mask = 0; mask < 1 << F; mask++) {
        if ((mask >> i) & 1) continue;
        let size = 0;
        for (let b = 0; b < F; b++) size += (mask >> b) & 1;
        const w = (fact(size) * fact(F - size - 1)) / fact(F);
        phi[k][i] += w * (v(mask | (1 << i), k) - v(mask, k));
      }
    }
  }
  return { phi, bias };
}

function randomRow(next: () => number, F: number, nanRate = 0.15): number[] {
  return Array.from({ length: F }, () => (next() < nanRate ? NaN : Math.round((next() * 5 - 2.5) * 16) / 16));
}

const sum = (a: ArrayLike<number>, from = 0, to = a.length): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s;
};

describe('TreeSHAP by hand', () => {
  // root f0 < 0.5 (cover 4): left f1 < 0.5 -> leaves 2 | 4 (cover 1 each); right leaf 0 (cover 2).
  const tree = buildTree({
    split: {
      feature: 0,
      threshold: 0.5,
      left: { split: { feature: 1, threshold: 0.5, left: { value: 2, cover: 1 }, right: { value: 4, cover: 1 } } },
      right: { value: 0, cover: 2 },
    },
  });
  const model = makeModel('reg:squarederror', [tree], { numFeatures: 3, baseMargin: [0.25] });

  it('bias = base margin + cover-weighted mean leaf', () =>
    expect(shapValues(model, [0.2, 0.9, 7]).bias[0]).toBeCloseTo(0.25 + 1.5, 12));
  it('phi0 = 1/2 (3 - 1.5) + 1/2 (4 - 2) = 1.75', () =>
    expect(shapValues(model, [0.2, 0.9, 7]).contributions[0]).toBeCloseTo(1.75, 12));
  it('phi1 = 1/2 (2 - 1.5) + 1/2 (4 - 3) = 0.75', () =>
    expect(shapValues(model, [0.2, 0.9, 7]).contributions[1]).toBeCloseTo(0.75, 12));
  it('an unused feature gets 0', () => expect(shapValues(model, [0.2, 0.9, 7]).contributions[2]).toBe(0));
  // x = (0.7, 0.1): v({}) = 1.5, v({0}) = 0, v({1}) = 1/2 * 2 = 1, v({0,1}) = 0.
  it('right leaf: phi0 = 1/2 (0 - 1.5) + 1/2 (0 - 1) = -1.25', () =>
    expect(shapValues(model, [0.7, 0.1, 0]).contributions[0]).toBeCloseTo(-1.25, 12));
  it('right leaf: phi1 = 1/2 (1 - 1.5) + 1/2 (0 - 0) = -0.25', () =>
    expect(shapValues(model, [0.7, 0.1, 0]).contributions[1]).toBeCloseTo(-0.25, 12));
  it('NaN follows the default (right here): same as x0 = 0.7', () =>
    expect(Array.from(shapValues(model, [NaN, 0.1, 0]).contributions)).toEqual(
      Array.from(shapValues(model, [0.7, 0.1, 0]).contributions),
    ));
  it('a single split: phi = leaf - mean', () => {
    const m = makeModel(
      'reg:squarederror',
      [
        buildTree({
          split: { feature: 1, threshold: 0, left: { value: 1, cover: 3 }, right: { value: -1, cover: 1 } },
        }),
      ],
      { numFeatures: 2 },
    );
    const s = shapValues(m, [5, -1]);
    expect([s.contributions[0], s.contributions[1], s.bias[0]]).toEqual([0, 0.5, 0.5]);
  });
  it('a leaf-only tree adds its value to the bias only', () => {
    const m = makeModel('reg:squarederror', [buildTree({ value: 0.3 })], { numFeatures: 2, baseMargin: [1] });
    const s = shapValues(m, [1, 2]);
    expect([s.contributions[0], s.contributions[1], s.bias[0]]).toEqual([0, 0, 1.3]);
  });
  it('threshold test uses float32: x = 0.1 (double) rounds to fround(0.1) and goes right', () => {
    const m = makeModel(
      'reg:squarederror',
      [buildTree({ split: { feature: 0, threshold: 0.1, left: { value: 1 }, right: { value: -1 } } })],
      { numFeatures: 1 },
    );
    expect(shapValues(m, [0.1]).contributions[0]).toBe(-1);
  });
});

describe('TreeSHAP = brute-force Shapley values (path-dependent value function)', () => {
  const cases: [string, GbdtModel][] = [
    ['1 feature, depth 4', randomModel(1, 'reg:squarederror', { numFeatures: 1, rounds: 3, depth: 4 })],
    ['2 features, depth 5 (many repeats)', randomModel(2, 'reg:squarederror', { numFeatures: 2, rounds: 4, depth: 5 })],
    [
      '3 features, depth 6, ragged trees',
      randomModel(3, 'binary:logistic', { numFeatures: 3, rounds: 5, depth: 6, full: false }),
    ],
    ['4 features, depth 3', randomModel(4, 'rank:ndcg', { numFeatures: 4, rounds: 6, depth: 3 })],
    ['5 features, depth 6', randomModel(5, 'reg:squarederror', { numFeatures: 5, rounds: 4, depth: 6 })],
    [
      '5 features, 3 classes, depth 4',
      randomModel(6, 'multi:softprob', { numFeatures: 5, rounds: 3, depth: 4, numClass: 3 }),
    ],
  ];
  const both = cases.flatMap(([name, m]) =>
    (['leafwise', 'recursive'] as const).map((a) => [`${a}: ${name}`, m, a] as const),
  );
  it.each(both)('%s', (_, model, algorithm) => {
    const next = rng(99);
    const F = model.featureNames.length;
    const K = model.baseMargin.length;
    for (let r = 0; r < 25; r++) {
      const x = randomRow(next, F);
      const s = shapValues(model, x, { algorithm });
      const b = bruteForce(model, x);
      for (let k = 0; k < K; k++) {
        expect(s.bias[k]).toBeCloseTo(b.bias[k], 10);
        for (let f = 0; f < F; f++) expect(s.contributions[k * F + f]).toBeCloseTo(b.phi[k][f], 10);
      }
    }
  });

  it('zero-cover children fall back consistently (brute force uses the same rule)', () => {
    const tree = buildTree({
      split: {
        feature: 0,
        threshold: 0,
        left: { split: { feature: 1, threshold: 0, left: { value: 3, cover: 0 }, right: { value: 1, cover: 0 } } },
        right: { value: -2, cover: 5 },
      },
    });
    const model = makeModel('reg:squarederror', [tree], { numFeatures: 2 });
    for (const x of [
      [-1, -1],
      [-1, 1],
      [1, 1],
      [NaN, NaN],
    ]) {
      const s = shapValues(model, x);
      const b = bruteForce(model, x);
      expect([...s.contributions, s.bias[0]].map((v) => v.toFixed(12))).toEqual(
        [...b.phi[0], b.bias[0]].map((v) => v.toFixed(12)),
      );
    }
  });
});

describe('TreeSHAP additivity: contributions + bias = raw margin', () => {
  it('200 random rows of a 60-tree depth-6 model with 30 features and missing values', () => {
    const model = randomModel(11, 'binary:logistic', { numFeatures: 30, rounds: 60, depth: 6, full: false });
    const next = rng(12);
    for (let r = 0; r < 200; r++) {
      const x = randomRow(next, 30, 0.2);
      const s = shapValues(model, x);
      expect(Math.abs(sum(s.contributions) + s.bias[0] - referenceMargin(model, x)[0])).toBeLessThan(1e-9);
    }
  });

  it('multiclass: per class, and equal to predict(outputMargin)', () => {
    const model = randomModel(13, 'multi:softprob', { numFeatures: 8, rounds: 20, depth: 5, numClass: 4 });
    const next = rng(14);
    const rows = Array.from({ length: 50 }, () => randomRow(next, 8));
    const columns = Array.from({ length: 8 }, (_, f) => Float32Array.from(rows.map((r) => r[f])));
    const margins = predict(model, columns, { outputMargin: true });
    const e = new ShapExplainer(model);
    const out = e.allocate();
    rows.forEach((x, i) => {
      e.explain(x, out);
      for (let k = 0; k < 4; k++) {
        expect(Math.abs(sum(out.contributions, k * 8, k * 8 + 8) + out.bias[k] - margins[i * 4 + k])).toBeLessThan(
          1e-9,
        );
      }
    });
  });

  it('leafwise and recursive agree to 1e-12 on a 100-tree depth-8 model with 40 features', () => {
    const model = randomModel(17, 'reg:squarederror', { numFeatures: 40, rounds: 100, depth: 8, full: false });
    const fast = new ShapExplainer(model);
    const slow = new ShapExplainer(model, { algorithm: 'recursive' });
    const next = rng(18);
    let worst = 0;
    for (let r = 0; r < 50; r++) {
      const x = randomRow(next, 40, 0.2);
      const a = fast.explain(x).contributions;
      const b = slow.explain(x).contributions;
      for (let f = 0; f < 40; f++) worst = Math.max(worst, Math.abs(a[f] - b[f]));
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it('leaves with long paths (36 features: the direct route) agree with recursive and add up', () => {
    // a caterpillar of depth 36: node i splits on feature i, its left child is a leaf
    const build = (i: number): NodeSpec =>
      i === 36
        ? { value: 0.5, cover: 2 }
        : {
            split: {
              feature: i,
              threshold: 0,
              defaultLeft: i % 2 === 0,
              left: { value: (i % 5) - 2, cover: 1 + (i % 3) },
              right: build(i + 1),
            },
          };
    const model = makeModel('reg:squarederror', [buildTree(build(0))], { numFeatures: 36 });
    const next = rng(19);
    for (let r = 0; r < 20; r++) {
      const x = Array.from({ length: 36 }, () => (next() < 0.9 ? 1 : next() < 0.5 ? NaN : -1));
      const a = shapValues(model, x);
      const b = shapValues(model, x, { algorithm: 'recursive' });
      for (let f = 0; f < 36; f++) expect(a.contributions[f]).toBeCloseTo(b.contributions[f], 8);
      expect(Math.abs(sum(a.contributions) + a.bias[0] - referenceMargin(model, x)[0])).toBeLessThan(1e-9);
    }
  });

  it('reusing an output buffer gives the same values as a fresh call', () => {
    const model = randomModel(15, 'reg:squarederror', { numFeatures: 6, rounds: 10, depth: 4 });
    const e = new ShapExplainer(model);
    const out = e.allocate();
    e.explain([1, 2, 3, 4, 5, 6], out);
    e.explain([0, 0, 0, 0, 0, 0], out);
    expect(Array.from(out.contributions)).toEqual(Array.from(shapValues(model, [0, 0, 0, 0, 0, 0]).contributions));
  });
});

describe('TreeSHAP input checks', () => {
  const model = randomModel(16, 'reg:squarederror', { numFeatures: 3, rounds: 2, depth: 2 });
  it('a row of the wrong length is a RangeError naming both lengths', () =>
    expect(() => shapValues(model, [1, 2])).toThrow('row has 2 values, the model expects 3'));
  it('an unknown algorithm is a RangeError', () =>
    expect(() => shapValues(model, [1, 2, 3], { algorithm: 'fast' as 'leafwise' })).toThrow(
      "algorithm must be 'leafwise' or 'recursive'",
    ));
  it('a non-array row is a TypeError', () =>
    expect(() => shapValues(model, 5 as unknown as number[])).toThrow(TypeError));
  it('an out buffer of the wrong size is a RangeError', () =>
    expect(() =>
      shapValues(model, [1, 2, 3], {
        out: { numOutputs: 1, numFeatures: 2, contributions: new Float64Array(2), bias: new Float64Array(1) },
      }),
    ).toThrow(RangeError));
  it('a split on a feature the model lacks is a RangeError', () => {
    const bad = makeModel(
      'reg:squarederror',
      [buildTree({ split: { feature: 4, threshold: 0, left: { value: 1 }, right: { value: 2 } } })],
      { numFeatures: 2 },
    );
    expect(() => shapValues(bad, [1, 2])).toThrow('feature 4 is out of range');
  });
});
