import { cohenH } from './cohen-h';
import { proportionPower, proportionSampleSize } from './proportion-power';

// statsmodels: proportion_effectsize(p2, p1); NormalIndPower().solve_power(h, alpha=, power=, ratio=1)
// and .power(h, n, alpha, ratio=1), alternative='two-sided'.
describe('power and sample size for two proportions', () => {
  it('Cohen’s h', () => expect(cohenH(0.32, 0.3)).toBeCloseTo(0.04324895263084816, 15));
  it('units per variant, rounded up', () =>
    expect(proportionSampleSize({ baseline: 0.3, mde: 0.02 }).perVariant).toBe(8393));
  it('the unrounded solution', () =>
    expect(proportionSampleSize({ baseline: 0.3, mde: 0.02 }).exact).toBeCloseTo(8392.38536140766, 4));
  it('a relative mde at power 0.9', () =>
    expect(proportionSampleSize({ baseline: 0.1, mde: 0.1, relative: true, power: 0.9 }).perVariant).toBe(19739));
  it('a negative mde needs as many units as h’s size says', () =>
    expect(proportionSampleSize({ baseline: 0.32, mde: -0.02 }).exact).toBeCloseTo(
      proportionSampleSize({ baseline: 0.3, mde: 0.02 }).exact,
      9,
    ));
  it('power at n per variant (both tails)', () =>
    expect(proportionPower({ baseline: 0.3, mde: 0.02, nPerVariant: 4000 })).toBeCloseTo(0.4897529144814892, 14));
  it('power at the solved n is the asked power', () =>
    expect(proportionPower({ baseline: 0.3, mde: 0.02, nPerVariant: 8392.38536140766 })).toBeCloseTo(0.8, 8));
  it('refuses a baseline of 0', () =>
    expect(() => proportionSampleSize({ baseline: 0, mde: 0.1 })).toThrow(
      new RangeError('baseline must be in (0, 1), got 0'),
    ));
  it('refuses a target outside (0, 1)', () =>
    expect(() => proportionSampleSize({ baseline: 0.95, mde: 0.1 })).toThrow(/puts the target rate at 1\.05/));
  it('refuses an mde of 0', () =>
    expect(() => proportionSampleSize({ baseline: 0.3, mde: 0 })).toThrow(/mde must not be 0/));
  it('refuses power at or below alpha', () =>
    expect(() => proportionSampleSize({ baseline: 0.3, mde: 0.02, power: 0.05 })).toThrow(
      /power must be greater than alpha \(0\.05\), got 0\.05/,
    ));
  it('refuses alpha of 1', () =>
    expect(() => proportionSampleSize({ baseline: 0.3, mde: 0.02, alpha: 1 })).toThrow(/alpha must be in \(0, 1\)/));
  it('refuses a non-positive n', () =>
    expect(() => proportionPower({ baseline: 0.3, mde: 0.02, nPerVariant: 0 })).toThrow(/nPerVariant must be > 0/));
});
