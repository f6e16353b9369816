import { findBestSplit, emptySplit, leafWeight, nodeGain, thresholdL1, type SplitParams } from './split';
import { createBinMapper } from './binning';

const P = (o: Partial<SplitParams> = {}): SplitParams => ({
  lambda: 1,
  alpha: 0,
  minChildWeight: 1,
  minDataInLeaf: 0,
  maxDeltaStep: 0,
  gamma: 0,
  ...o,
});

describe('leaf values and gains (XGBoost formulas)', () => {
  it('soft-thresholds gradients for L1', () => {
    expect(thresholdL1(5, 2)).toBe(3);
    expect(thresholdL1(-5, 2)).toBe(-3);
    expect(thresholdL1(1.5, 2)).toBe(0);
  });
  it('L2 only: w = -G / (H + lambda)', () => expect(leafWeight(-10, 4, P())).toBeCloseTo(2, 12));
  it('L1 and L2: w = -(G + alpha) / (H + lambda) for G < -alpha', () =>
    expect(leafWeight(-10, 4, P({ alpha: 2 }))).toBeCloseTo(1.6, 12));
  it('L1 zeroes small gradients', () => expect(leafWeight(1, 4, P({ alpha: 2 }))).toBe(0));
  it('max_delta_step clips the weight', () => expect(leafWeight(-10, 4, P({ maxDeltaStep: 0.5 }))).toBe(0.5));
  it('a node below min_child_weight gets weight 0', () => expect(leafWeight(-10, 0.5, P())).toBe(0));
  it('gain = T(G)^2 / (H + lambda)', () => expect(nodeGain(-10, 4, P({ alpha: 2 }))).toBeCloseTo(64 / 5, 12));
  it('gain with max_delta_step = -(2Gw + (H + lambda) w^2)', () =>
    expect(nodeGain(-10, 4, P({ maxDeltaStep: 0.5 }))).toBeCloseTo(-(2 * -10 * 0.5 + 5 * 0.25), 12));
});

describe('findBestSplit', () => {
  // one feature, 3 value bins + missing bin; hist [g, h] per slot
  const mapper = createBinMapper([Float32Array.from([1, 2])]);
  const hist = Float64Array.from([-4, 2, -2, 2, 6, 2, 0, 0]);
  it('finds the split with the largest loss change', () => {
    const s = findBestSplit(hist, 2, mapper, Int32Array.from([0]), 0, 6, 0, P(), emptySplit());
    // bins {0,1} vs {2}: (-6)^2/5 + 6^2/3 - 0 = 7.2 + 12 = 19.2
    expect(s.feature).toBe(0);
    expect(s.bin).toBe(1);
    expect(s.gain).toBeCloseTo(19.2, 10);
    expect(s.defaultLeft).toBe(false);
  });
  it('learns to send missing values left when that is better', () => {
    const h = Float64Array.from([-4, 2, 4, 2, 4, 2, -6, 2]); // missing rows look like bin 0
    const s = findBestSplit(h, 2, mapper, Int32Array.from([0]), -2, 8, 0, P(), emptySplit());
    expect(s.bin).toBe(0);
    expect(s.defaultLeft).toBe(true);
    expect(s.leftG).toBe(-10);
  });
  it('respects min_child_weight and gamma', () => {
    expect(
      findBestSplit(hist, 2, mapper, Int32Array.from([0]), 0, 6, 0, P({ minChildWeight: 2.5 }), emptySplit()).feature,
    ).toBe(-1);
    expect(findBestSplit(hist, 2, mapper, Int32Array.from([0]), 0, 6, 0, P({ gamma: 20 }), emptySplit()).feature).toBe(
      -1,
    );
  });
  it('respects min_data_in_leaf with count histograms', () => {
    const h3 = Float64Array.from([-4, 2, 2, -2, 2, 2, 6, 2, 1, 0, 0, 0]);
    expect(findBestSplit(h3, 3, mapper, Int32Array.from([0]), 0, 6, 5, P({ minDataInLeaf: 2 }), emptySplit()).bin).toBe(
      0,
    );
  });
});
