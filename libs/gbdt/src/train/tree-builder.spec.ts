import { binColumns, computeThresholds, createBinMapper } from './binning';
import { binColumnsOf, createPosBuffers, fillPositions, rowStrideOf } from './position-buffers';
import { createTrainingOps } from './training-ops';
import type { TrainingOps } from './training-ops.types';
import { gatherRange, histogramRange, moveFlagged } from './hist-kernel';
import { TreeBuilder } from './tree-builder';
import { predictRow } from '../predict/predict';
import type { GbdtModel } from '../model/model.types';
import { Prng } from '@pulse/core';

function fixture(n: number, F: number, seed = 1, payWords = 2) {
  const rng = new Prng(seed);
  const columns = Array.from({ length: F }, (_, f) => {
    const c = new Float32Array(n);
    for (let i = 0; i < n; i++)
      c[i] = rng.next() < 0.1 ? Number.NaN : Math.fround(Math.round(rng.next() * 50 * (f + 1)) / 7);
    return c;
  });
  const mapper = createBinMapper(computeThresholds(columns, 32));
  const colBins = new Uint8Array(n * F);
  binColumns(columns, mapper, colBins, 0, F);
  const rowStride = rowStrideOf(F);
  const binCol = binColumnsOf(F);
  const pos = createPosBuffers(n, rowStride, payWords, false);
  fillPositions(pos[0], colBins, n, F, rowStride);
  const gh = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const x = columns[0][i];
    // a step in each of the first two features (when there are two), so deeper splits pay whatever the noise
    const x1 = F > 1 ? columns[1][i] : 0;
    gh[2 * i] = (x !== x ? -1 : x > 3 ? 1.5 : -0.5) + (x1 > 7 ? 1 : -1) + rng.next() - 0.5;
    gh[2 * i + 1] = 0.25 + rng.next() * 0.1;
  }
  return { columns, mapper, colBins, pos, rowStride, binCol, gh };
}

function opsFor(fx: ReturnType<typeof fixture>, F: number): TrainingOps {
  const n = fx.pos[0].perm.length;
  return createTrainingOps(
    {
      pos: fx.pos,
      rowStride: fx.rowStride,
      binCol: fx.binCol,
      offsets: fx.mapper.offsets,
      numFeatures: F,
      numRows: n,
      gh: fx.gh,
      histSize: fx.mapper.totalBins * 2,
      stride: 2,
      margin: new Float64Array(n),
      label: new Float64Array(n),
      weight: null,
    },
    1,
  );
}

/** Histogram of positions [start, end) of buffer `buf`, after gathering their gradients. */
function hist(
  fx: ReturnType<typeof fixture>,
  F: number,
  buf: number,
  start: number,
  end: number,
  stride: number,
  quant = { gScale: 0, hScale: 0, shift: 0, seed: 0 },
): Float64Array {
  const p = fx.pos[buf];
  gatherRange(p.perm, fx.gh, p.pay, stride, start, end, quant.gScale, quant.hScale, quant.shift, quant.seed);
  const h = new Float64Array(fx.mapper.totalBins * stride);
  histogramRange(p.bins, fx.rowStride, fx.binCol, fx.mapper.offsets, F, p.pay, stride, start, end, h, 0);
  return h;
}

describe('histograms', () => {
  it('subtraction: parent minus one child equals the other child built directly', () => {
    const fx = fixture(3000, 4);
    const size = fx.mapper.totalBins * 2;
    const parent = hist(fx, 4, 0, 0, 3000, 2);
    const kept = moveFlagged(
      fx.pos[0],
      fx.pos[1],
      fx.rowStride,
      3000,
      Uint8Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
    );
    expect(kept).toBe(1000);
    const l = hist(fx, 4, 1, 0, kept, 2);
    const r = hist(fx, 4, 1, kept, 3000, 2);
    for (let j = 0; j < size; j++) expect(parent[j] - l[j]).toBeCloseTo(r[j], 9);
  });
  it('quantized (stride 1): packed integer sums decode to the sums of the quantized pairs', () => {
    const fx = fixture(3000, 4, 1, 1);
    const shift = 22;
    const h = hist(fx, 4, 0, 0, 3000, 1, { gScale: 100, hScale: 100, shift, seed: 7 });
    const mul = 2 ** shift;
    let gSum = 0;
    let hSum = 0;
    for (let b = 0; b <= fx.mapper.numBins[0]; b++) {
      const gq = Math.floor(h[b] / mul);
      gSum += gq;
      hSum += h[b] - gq * mul;
    }
    let gExact = 0;
    let hExact = 0;
    // stochastic rounding is unbiased, each row's error a Bernoulli of its fractional part: bound the sums by 4 sd
    let gVar = 0;
    let hVar = 0;
    for (let i = 0; i < 3000; i++) {
      const g = fx.gh[2 * i] * 100;
      const hh = fx.gh[2 * i + 1] * 100;
      gExact += g;
      hExact += hh;
      gVar += (g - Math.floor(g)) * (1 - (g - Math.floor(g)));
      hVar += (hh - Math.floor(hh)) * (1 - (hh - Math.floor(hh)));
    }
    expect(Math.abs(gSum - gExact)).toBeLessThan(4 * Math.sqrt(gVar) + 1);
    expect(Math.abs(hSum - hExact)).toBeLessThan(4 * Math.sqrt(hVar) + 1);
    expect(Number.isInteger(gSum) && Number.isInteger(hSum)).toBe(true);
  });
  it('the position layout (7 bins per 8-byte word, 9 features) gives the histogram counted from column bins', () => {
    const F = 9;
    const fx = fixture(2000, F);
    const h = hist(fx, F, 0, 0, 2000, 2);
    const direct = new Float64Array(fx.mapper.totalBins * 2);
    for (let r = 0; r < 2000; r++) {
      for (let f = 0; f < F; f++) {
        const o = (fx.mapper.offsets[f] + fx.colBins[f * 2000 + r]) * 2;
        direct[o] += fx.gh[2 * r];
        direct[o + 1] += fx.gh[2 * r + 1];
      }
    }
    expect(Array.from(h)).toEqual(Array.from(direct));
    // the eighth byte of every word stays zero (what keeps the float64 row moves bit-exact)
    for (let i = 7; i < fx.pos[0].bins.length; i += 8) expect(fx.pos[0].bins[i]).toBe(0);
  });
  it('the count histogram (stride 3) counts rows per bin', () => {
    const fx = fixture(500, 2);
    const h = hist(fx, 2, 0, 0, 500, 3);
    let total = 0;
    for (let b = 0; b < fx.mapper.numBins[0] + 1; b++) total += h[b * 3 + 2];
    expect(total).toBe(500);
  });
});

describe('tree growth', () => {
  for (const growPolicy of ['depthwise', 'lossguide'] as const) {
    it(`${growPolicy}: rows routed at training time (by bins) land in the same leaf at prediction time (by float32 thresholds, NaN by default direction)`, () => {
      const fx = fixture(4000, 3);
      const tb = new TreeBuilder({
        numFeatures: 3,
        numRows: 4000,
        mapper: fx.mapper,
        gh: fx.gh,
        pos: fx.pos,
        rowStride: fx.rowStride,
        ops: opsFor(fx, 3),
        stride: 2,
        split: { lambda: 1, alpha: 0, minChildWeight: 1, minDataInLeaf: 0, maxDeltaStep: 0, gamma: 0 },
        eta: 0.3,
        maxDepth: 4,
        maxLeaves: growPolicy === 'lossguide' ? 9 : 0,
        growPolicy,
      });
      const built = tb.build(Int32Array.from([0, 1, 2]));
      const tree = built.tree;
      expect(tree.feature.filter((f) => f >= 0).length).toBeGreaterThan(2);
      // built.leaves has an entry per non-empty range of a leaf (two shards): count the tree's leaves
      if (growPolicy === 'lossguide') expect(tree.feature.filter((f) => f < 0).length).toBeLessThanOrEqual(9);
      expect(tree.defaultLeft.some((d, i) => tree.feature[i] >= 0 && d)).toBe(true);
      const model: GbdtModel = {
        format: 'pulse-gbdt',
        formatVersion: 1,
        objective: 'reg:squarederror',
        numClass: 1,
        baseMargin: [0],
        featureNames: ['a', 'b', 'c'],
        trees: [tree],
        treeClass: [0],
        numRounds: 1,
        params: {},
      };
      let covered = 0;
      const out = new Float64Array(1);
      for (const leaf of built.leaves) {
        for (let i = leaf.start; i < leaf.end; i++) {
          const r = built.rows[i];
          predictRow(model, [fx.columns[0][r], fx.columns[1][r], fx.columns[2][r]], out);
          expect(out[0]).toBe(tree.value[leaf.node]);
          covered++;
        }
      }
      // last-level splits route their rows in place: the leaf follows from the row's bin
      for (const s of built.routed) {
        const missing = fx.mapper.numBins[s.feature];
        for (let i = s.start; i < s.end; i++) {
          const r = built.rows[i];
          const b = fx.colBins[s.feature * 4000 + r];
          const goLeft = b === missing ? s.defaultLeft : b <= s.bin;
          predictRow(model, [fx.columns[0][r], fx.columns[1][r], fx.columns[2][r]], out);
          expect(out[0]).toBe(tree.value[goLeft ? s.left : s.right]);
          covered++;
        }
      }
      if (growPolicy === 'depthwise') expect(built.routed.length).toBeGreaterThan(0);
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
      numFeatures: 3,
      numRows: 4000,
      mapper: fx.mapper,
      gh: fx.gh,
      pos: fx.pos,
      rowStride: fx.rowStride,
      ops: opsFor(fx, 3),
      stride: 2,
      split: { lambda: 1, alpha: 0, minChildWeight: 0, minDataInLeaf: 0, maxDeltaStep: 0, gamma: 0 },
      eta: 1,
      maxDepth: 2,
      maxLeaves: 0,
      growPolicy: 'depthwise',
    });
    const { tree } = tb.build(Int32Array.from([0, 1, 2]));
    expect(tree.feature.length).toBe(7);
  });
  it('after every tree (sampled or not) one buffer holds every row with its own bins', () => {
    const fx = fixture(3000, 3);
    const tb = new TreeBuilder({
      numFeatures: 3,
      numRows: 3000,
      mapper: fx.mapper,
      gh: fx.gh,
      pos: fx.pos,
      rowStride: fx.rowStride,
      ops: opsFor(fx, 3),
      stride: 2,
      split: { lambda: 1, alpha: 0, minChildWeight: 0, minDataInLeaf: 0, maxDeltaStep: 0, gamma: 0 },
      eta: 1,
      maxDepth: 3,
      maxLeaves: 0,
      growPolicy: 'depthwise',
    });
    const rng = new Prng(3);
    for (let t = 0; t < 4; t++) {
      const sample = t % 2 === 1 ? Uint8Array.from({ length: 3000 }, () => (rng.next() < 0.6 ? 1 : 0)) : null;
      const built = tb.build(Int32Array.from([0, 1, 2]), { sample });
      const { perm, bins } = fx.pos[built.buf];
      expect(new Set(Array.from(perm)).size).toBe(3000);
      let bad = 0;
      for (let i = 0; i < 3000; i++)
        for (let f = 0; f < 3; f++) if (bins[i * fx.rowStride + fx.binCol[f]] !== fx.colBins[f * 3000 + perm[i]]) bad++;
      expect(bad).toBe(0);
      const inLeaves = [...built.leaves, ...built.routed].reduce((a, l) => a + l.end - l.start, 0);
      expect(inLeaves).toBe(sample ? sample.reduce((a, b) => a + b, 0) : 3000);
    }
  });
});
