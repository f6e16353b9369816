import { buildTree, makeModel, randomModel, referenceMargin, rng } from '../explain/tiny-models.fixture';
import type { GbdtModel } from '../model/model.types';
import { predict } from '../predict/predict';
import { exportOnnx, ONNX_METADATA_KEYS } from './onnx-export';
import { readOnnxMetadata } from './onnx-proto';
import { onnxCheck, runOnnx } from './onnx.fixture';

function randomRows(seed: number, n: number, F: number, nanRate = 0.15): number[][] {
  const next = rng(seed);
  // values on a 1/8 grid hit the random trees' thresholds (also on that grid) exactly
  return Array.from({ length: n }, () =>
    Array.from({ length: F }, () => (next() < nanRate ? NaN : Math.round((next() * 5 - 2.5) * 8) / 8)),
  );
}

const rowMajor = (rows: number[][]): Float32Array => Float32Array.from(rows.flat());
const columnsOf = (rows: number[][], F: number): Float32Array[] =>
  Array.from({ length: F }, (_, f) => Float32Array.from(rows.map((r) => r[f])));
const sigmoid = (m: number): number => 1 / (1 + Math.exp(-m));
function softmax(m: number[]): number[] {
  const mx = Math.max(...m);
  const e = m.map((v) => Math.exp(v - mx));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** ONNX vs TypeScript (predict() and the spec's own tree walk) on every row: probabilities, labels or scores. */
async function expectParity(model: GbdtModel, rows: number[][]): Promise<void> {
  const F = model.featureNames.length;
  const bytes = exportOnnx(model);
  onnxCheck(bytes);
  const out = runOnnx(bytes, rowMajor(rows), F);
  const ts = predict(model, columnsOf(rows, F));
  const n = rows.length;
  if (model.objective === 'binary:logistic') {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(referenceMargin(model, rows[i])[0]);
      expect(Math.abs(ts[i] - p)).toBeLessThan(1e-12);
      expect(Math.abs(out.probabilities![2 * i + 1] - ts[i])).toBeLessThan(1e-5);
      expect(Math.abs(out.probabilities![2 * i] - (1 - ts[i]))).toBeLessThan(1e-5);
      if (Math.abs(ts[i] - 0.5) > 1e-5) expect(Number(out.label![i])).toBe(ts[i] > 0.5 ? 1 : 0);
    }
  } else if (model.objective === 'multi:softprob') {
    const K = model.numClass;
    for (let i = 0; i < n; i++) {
      const p = softmax(referenceMargin(model, rows[i]));
      for (let k = 0; k < K; k++) {
        expect(Math.abs(ts[i * K + k] - p[k])).toBeLessThan(1e-12);
        expect(Math.abs(out.probabilities![i * K + k] - ts[i * K + k])).toBeLessThan(1e-5);
      }
      const sorted = [...p].sort((a, b) => b - a);
      if (sorted[0] - sorted[1] > 1e-5) expect(Number(out.label![i])).toBe(p.indexOf(sorted[0]));
    }
  } else {
    for (let i = 0; i < n; i++) {
      expect(Math.abs(ts[i] - referenceMargin(model, rows[i])[0])).toBeLessThan(1e-12);
      expect(Math.abs(out.variable![i] - ts[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(ts[i])));
    }
  }
}

describe('exportOnnx: hand-built binary model', () => {
  // f0 < 0.5 (NaN left) -> f1 < -1 (NaN right) -> 0.4 | -0.2 ; else 0.7
  const tree = buildTree({
    split: {
      feature: 0,
      threshold: 0.5,
      defaultLeft: true,
      left: { split: { feature: 1, threshold: -1, defaultLeft: false, left: { value: 0.4 }, right: { value: -0.2 } } },
      right: { value: 0.7 },
    },
  });
  const model = makeModel('binary:logistic', [tree], { numFeatures: 2, baseMargin: [-0.1] });
  const rows = [
    [0, -2],
    [0, 0],
    [0.5, -2],
    [NaN, -2],
    [NaN, NaN],
    [1, NaN],
    [0.49, -1],
  ];
  const margins = [0.3, -0.3, 0.6, 0.3, -0.3, 0.6, -0.3];

  it('P(1) = sigmoid(margin), P(0) = 1 - P(1), label = margin > 0, NaN routed by default direction', async () => {
    const out = runOnnx(exportOnnx(model), rowMajor(rows), 2);
    margins.forEach((m, i) => {
      expect(out.probabilities![2 * i + 1]).toBeCloseTo(sigmoid(m), 6);
      expect(out.probabilities![2 * i]).toBeCloseTo(1 - sigmoid(m), 6);
      expect(Number(out.label![i])).toBe(m > 0 ? 1 : 0);
    });
  });
  it('passes the ONNX checker', () => expect(() => onnxCheck(exportOnnx(model))).not.toThrow());
  it('all leaf weights >= 0 still gives sigmoid probabilities and margin > 0 labels', async () => {
    const pos = makeModel(
      'binary:logistic',
      [buildTree({ split: { feature: 0, threshold: 0, left: { value: 0.3 }, right: { value: 0.1 } } })],
      { numFeatures: 1, baseMargin: [-0.2] },
    );
    const out = runOnnx(exportOnnx(pos), Float32Array.from([-1, 1]), 1);
    expect([out.probabilities![1], out.probabilities![3]].map((p) => p.toFixed(6))).toEqual(
      [sigmoid(0.1), sigmoid(-0.1)].map((p) => p.toFixed(6)),
    );
    expect(out.label).toEqual([1, 0]);
  });
  it('metadata names the objective, features, input and outputs', () => {
    const meta = readOnnxMetadata(exportOnnx({ ...model, featureNames: ['age', 'spend'] }));
    expect(meta[ONNX_METADATA_KEYS.objective]).toBe('binary:logistic');
    expect(JSON.parse(meta[ONNX_METADATA_KEYS.featureNames])).toEqual(['age', 'spend']);
    expect(meta[ONNX_METADATA_KEYS.inputName]).toBe('input');
    expect(JSON.parse(meta[ONNX_METADATA_KEYS.outputNames])).toEqual(['label', 'probabilities']);
    expect(meta[ONNX_METADATA_KEYS.numClass]).toBe('1');
  });
  it('onnxruntime sees the input and output names', () => {
    const out = runOnnx(exportOnnx(model, { inputName: 'features' }), Float32Array.from([0, 0]), 2, 'features');
    expect([out.inputNames, out.outputNames]).toEqual([['features'], ['label', 'probabilities']]);
  });
});

describe('exportOnnx: float32 edge cases', () => {
  const t = Math.fround(0.1); // 0.100000001490116...
  const below = t - 2 ** -27; // the float32 just below t
  const model = makeModel(
    'reg:squarederror',
    [buildTree({ split: { feature: 0, threshold: 0.1, left: { value: -1 }, right: { value: 1 } } })],
    { numFeatures: 1 },
  );
  const cases: [string, number, number][] = [
    ['x equal to the threshold goes right', t, 1],
    ['the float32 just below goes left', below, -1],
    ['x = 0.1 as a double rounds to the threshold and goes right', 0.1, 1],
    ['a double between the two floats that rounds up goes right', below + 2 ** -28 + 2 ** -40, 1],
    ['a double between the two floats that rounds down goes left', below + 2 ** -29, -1],
    ['-0 goes left', -0, -1],
    ['+Infinity goes right', Infinity, 1],
    ['-Infinity goes left', -Infinity, -1],
  ];
  it.each(cases)('%s (ONNX and predict agree)', async (_, x, expected) => {
    const out = runOnnx(exportOnnx(model), Float32Array.from([x]), 1);
    expect([out.variable![0], predict(model, [Float32Array.from([x])])[0], referenceMargin(model, [x])[0]]).toEqual([
      expected,
      expected,
      expected,
    ]);
  });
});

describe('exportOnnx parity on random models (every row, NaN included)', () => {
  const rows = randomRows(5, 400, 6);
  it('binary, 30 trees of depth 5', () =>
    expectParity(randomModel(21, 'binary:logistic', { numFeatures: 6, rounds: 30, depth: 5, full: false }), rows));
  it('multiclass, 4 classes x 15 rounds of depth 4', () =>
    expectParity(randomModel(22, 'multi:softprob', { numFeatures: 6, rounds: 15, depth: 4, numClass: 4 }), rows));
  it('multiclass with 2 classes (encoded as one margin difference)', () =>
    expectParity(randomModel(23, 'multi:softprob', { numFeatures: 6, rounds: 10, depth: 3, numClass: 2 }), rows));
  it('regression, 40 trees of depth 6', () =>
    expectParity(randomModel(24, 'reg:squarederror', { numFeatures: 6, rounds: 40, depth: 6, full: false }), rows));
  it('ranking, 25 trees of depth 4', () =>
    expectParity(randomModel(25, 'rank:ndcg', { numFeatures: 6, rounds: 25, depth: 4 }), rows));
  it('a model with no trees predicts the base margin', () =>
    expectParity(
      { ...randomModel(26, 'binary:logistic', { numFeatures: 6, rounds: 0, depth: 1 }), baseMargin: [0.8] },
      rows.slice(0, 5),
    ));
  it('only the first numRounds rounds are exported, as predict uses them', () =>
    expectParity(
      { ...randomModel(27, 'reg:squarederror', { numFeatures: 6, rounds: 10, depth: 3 }), numRounds: 4 },
      rows.slice(0, 50),
    ));
});

describe('exportOnnx rejects broken models', () => {
  const ok = randomModel(31, 'reg:squarederror', { numFeatures: 3, rounds: 2, depth: 2 });
  it('a split feature out of range', () => {
    const bad = makeModel(
      'reg:squarederror',
      [buildTree({ split: { feature: 5, threshold: 0, left: { value: 1 }, right: { value: 2 } } })],
      { numFeatures: 3 },
    );
    expect(() => exportOnnx(bad)).toThrow('tree 0 node 0: feature 5 is out of range (model has 3 features)');
  });
  it('a threshold that is not a float32', () => {
    const t = buildTree({ split: { feature: 0, threshold: 0, left: { value: 1 }, right: { value: 2 } } });
    expect(() =>
      exportOnnx({ ...ok, trees: [{ ...t, threshold: [0.1, 0, 0] }], treeClass: [0], numRounds: 1 }),
    ).toThrow('threshold 0.1 is not a float32 value');
  });
  it('a child index out of range', () => {
    const t = buildTree({ split: { feature: 0, threshold: 0, left: { value: 1 }, right: { value: 2 } } });
    expect(() => exportOnnx({ ...ok, trees: [{ ...t, right: [7, -1, -1] }], treeClass: [0], numRounds: 1 })).toThrow(
      'tree 0 node 0: child index out of range',
    );
  });
  it('baseMargin of the wrong length', () =>
    expect(() => exportOnnx({ ...ok, baseMargin: [0, 0] })).toThrow('baseMargin has 2 values, expected numClass 1'));
  it('no features', () => expect(() => exportOnnx({ ...ok, featureNames: [] })).toThrow('featureNames is empty'));
  it('an empty input name', () =>
    expect(() => exportOnnx(ok, { inputName: '' })).toThrow('inputName must be a non-empty string'));
});
