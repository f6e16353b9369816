import { binColumns, computeThresholds, createBinMapper, rowMajorBins } from './binning';
import { createTrainingOps, type TrainingOps } from './hist-builder';
import { buildHistogram, quantizeRange } from './hist-kernel';
import { TreeBuilder } from './tree-builder';
import { predictRow } from '../predict/predict';
import type { GbdtModel } from '../model/model.types';
import { Rng } from './rng';

function fixture(n: number, F: number, seed = 1) {
  const rng = new Rng(seed);
  const columns = Array.from({ length: F }, (_, f) => {
    const c = new Float32Array(n);
    for (let i = 0; i < n; i++) c[i] = rng.next() < 0.1 ? Number.NaN : Math.fround(Math.round(rng.next() * 50 * (f + 1)) / 7);
    return c;
  });
  const mapper = createBinMapper(computeThresholds(columns, 32));
  const colBins = new Uint8Array(n * F);
  binColumns(columns, mapper, colBins, 0, F);
  const wide = new Uint16Array(n * F);
  rowMajorBins(colBins, n, mapper, wide);
  const narrow = new Uint8Array(n * F);
  rowMajorBins(colBins, n, mapper, narrow);
  const rowBins = { narrow, offsets: mapper.offsets, wide };
  const gh = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const x = columns[0][i];
    gh[2 * i] = (x !== x ? -1 : x > 3 ? 1.5 : -0.5) + rng.next() - 0.5;
    gh[2 * i + 1] = 0.25 + rng.next() * 0.1;
  }
  return { columns, mapper, colBins, rowBins, gh, rows: new Int32Array(n) };
}

function opsFor(fx: ReturnType<typeof fixture>, F: number): TrainingOps {
  const n = fx.rows.length;
  return createTrainingOps(
    { bins: fx.rowBins, colBins: fx.colBins, numFeatures: F, numRows: n, gh: fx.gh, packed: null, rows: fx.rows, temp: new Int32Array(n), histSize: fx.mapper.totalBins * 2, stride: 2, margin: new Float64Array(n), label: new Float64Array(n), weight: null },
    1,
  );
}

describe('histograms', () => {
  it('subtraction: parent minus one child equals the other child built directly', () => {
    const { mapper, rowBins, gh } = fixture(3000, 4);
    const size = mapper.totalBins * 2;
    const idx = Int32Array.from({ length: 3000 }, (_, i) => i);
    const left = Int32Array.from(idx.filter((i) => i % 3 === 0));
    const right = Int32Array.from(idx.filter((i) => i % 3 !== 0));
    const parent = new Float64Array(size);
    const l = new Float64Array(size);
    const r = new Float64Array(size);
    buildHistogram(rowBins, 4, gh, null, null, 0, 3000, parent, 0, 2);
    buildHistogram(rowBins, 4, gh, null, left, 0, left.length, l, 0, 2);
    buildHistogram(rowBins, 4, gh, null, right, 0, right.length, r, 0, 2);
    for (let j = 0; j < size; j++) expect(parent[j] - l[j]).toBeCloseTo(r[j], 9);
  });
  it('quantized (stride 1): packed integer sums decode to the sums of the quantized pairs', () => {
    const { mapper, rowBins, gh } = fixture(3000, 4);
    const packed = new Float64Array(3000);
    const shift = 22;
    quantizeRange(gh, packed, null, 0, 3000, 100, 100, shift, 7);
    const hist = new Float64Array(mapper.totalBins);
    buildHistogram(rowBins, 4, gh, packed, null, 0, 3000, hist, 0, 1);
    const mul = 2 ** shift;
    let gSum = 0;
    let hSum = 0;
    for (let b = 0; b <= mapper.numBins[0]; b++) {
      const gq = Math.floor(hist[b] / mul);
      gSum += gq;
      hSum += hist[b] - gq * mul;
    }
    let gExact = 0;
    let hExact = 0;
    for (let i = 0; i < 3000; i++) {
      gExact += gh[2 * i] * 100;
      hExact += gh[2 * i + 1] * 100;
    }
    // stochastic rounding is unbiased: the sums agree to a few quanta per sqrt(n)
    expect(Math.abs(gSum - gExact)).toBeLessThan(60);
    expect(Math.abs(hSum - hExact)).toBeLessThan(60);
    expect(Number.isInteger(gSum) && Number.isInteger(hSum)).toBe(true);
  });
  it('the narrow (byte + offset) and wide (slot) row layouts give the same histograms', () => {
    const { mapper, rowBins, gh } = fixture(2000, 5);
    const a = new Float64Array(mapper.totalBins * 2);
    const b = new Float64Array(mapper.totalBins * 2);
    buildHistogram(rowBins, 5, gh, null, null, 0, 2000, a, 0, 2);
    buildHistogram({ ...rowBins, wide: null }, 5, gh, null, null, 0, 2000, b, 0, 2);
    expect(Array.from(b)).toEqual(Array.from(a));
  });
  it('the count histogram (stride 3) counts rows per bin', () => {
    const { mapper, rowBins, gh } = fixture(500, 2);
    const h = new Float64Array(mapper.totalBins * 3);
    buildHistogram(rowBins, 2, gh, null, null, 0, 500, h, 0, 3);
    let total = 0;
    for (let b = 0; b < mapper.numBins[0] + 1; b++) total += h[b * 3 + 2];
    expect(total).toBe(500);
  });
});

describe('tree growth', () => {
  for (const growPolicy of ['depthwise', 'lossguide'] as const) {
    it(`${growPolicy}: rows routed at training time (by bins) land in the same leaf at prediction time (by float32 thresholds, NaN by default direction)`, () => {
      const fx = fixture(4000, 3);
      const tb = new TreeBuilder({
        numFeatures: 3, mapper: fx.mapper, gh: fx.gh, packed: null, rows: fx.rows, ops: opsFor(fx, 3), stride: 2,
        split: { lambda: 1, alpha: 0, minChildWeight: 1, minDataInLeaf: 0, maxDeltaStep: 0, gamma: 0 },
        eta: 0.3, maxDepth: 4, maxLeaves: growPolicy === 'lossguide' ? 9 : 0, growPolicy,
      });
      const built = tb.build(4000, true, Int32Array.from([0, 1, 2]));
      const tree = built.tree;
      expect(tree.feature.filter((f) => f >= 0).length).toBeGreaterThan(2);
      if (growPolicy === 'lossguide') expect(built.leaves.length).toBeLessThanOrEqual(9);
      expect(tree.defaultLeft.some((d, i) => tree.feature[i] >= 0 && d)).toBe(true);
      const model: GbdtModel = {
        format: 'pulse-gbdt', formatVersion: 1, objective: 'reg:squarederror', numClass: 1, baseMargin: [0],
        featureNames: ['a', 'b', 'c'], trees: [tree], treeClass: [0], numRounds: 1, params: {},
      };
      let covered = 0;
      const out = new Float64Array(1);
      for (const leaf of built.leaves) {
        for (let i = leaf.start; i < leaf.end; i++) {
          const r = fx.rows[i];
          predictRow(model, [fx.columns[0][r], fx.columns[1][r], fx.columns[2][r]], out);
          expect(out[0]).toBe(tree.value[leaf.node]);
          covered++;
        }
      }
      expect(covered).toBe(4000);
      // cover of the root is the hessian sum; children covers add up to the parent's
      tree.feature.forEach((f, n) => {
        if (f >= 0) expect(tree.cover[tree.left[n]] + tree.cover[tree.right[n]]).toBeCloseTo(tree.cover[n], 6);
      });
    });
  }
  it('respects max_depth', () => {
    const fx = fixture(4000, 3);
    const tb = new TreeBuilder({
      numFeatures: 3, mapper: fx.mapper, gh: fx.gh, packed: null, rows: fx.rows, ops: opsFor(fx, 3), stride: 2,
      split: { lambda: 1, alpha: 0, minChildWeight: 0, minDataInLeaf: 0, maxDeltaStep: 0, gamma: 0 },
      eta: 1, maxDepth: 2, maxLeaves: 0, growPolicy: 'depthwise',
    });
    const { tree } = tb.build(4000, true, Int32Array.from([0, 1, 2]));
    expect(tree.feature.length).toBe(7);
  });
});
