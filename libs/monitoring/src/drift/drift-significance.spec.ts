import { isSignificantDrift, PSI_MAJOR_SHIFT, significantPsiThreshold } from './drift-significance';

describe('significantPsiThreshold', () => {
  it('is the major-shift level without a spread', () => expect(significantPsiThreshold()).toBe(0.25));
  it('is the major-shift level for a quiet reference', () =>
    expect(significantPsiThreshold({ mean: 0.03, std: 0.01 })).toBe(PSI_MAJOR_SHIFT));
  it('is mean + 3 std for a restless one', () =>
    expect(significantPsiThreshold({ mean: 0.2, std: 0.1 })).toBeCloseTo(0.5, 12));
  it("takes a model's own floor", () => expect(significantPsiThreshold({ mean: 0.03, std: 0.01 }, 0.5)).toBe(0.5));
  it('refuses a floor of 0', () => expect(() => significantPsiThreshold(null, 0)).toThrow(/floor/));
  it('refuses a negative std', () => expect(() => significantPsiThreshold({ mean: 0.1, std: -1 })).toThrow(RangeError));
  it('refuses a non-finite mean', () => expect(() => significantPsiThreshold({ mean: NaN, std: 0 })).toThrow(/spread/));
});

describe('isSignificantDrift', () => {
  const spread = { mean: 0.2, std: 0.1 };
  it('calibrated: counts only past mean + 3 std', () => {
    expect(isSignificantDrift({ psi: 0.49, drifted: true }, spread, true)).toBe(false);
    expect(isSignificantDrift({ psi: 0.51, drifted: false }, spread, true)).toBe(true);
  });
  it('calibrated without a spread for the feature: past the major-shift level', () => {
    expect(isSignificantDrift({ psi: 0.26, drifted: false }, undefined, true)).toBe(true);
    expect(isSignificantDrift({ psi: 0.24, drifted: true }, undefined, true)).toBe(false);
  });
  it("uncalibrated: Evidently's verdict and a major shift", () => {
    expect(isSignificantDrift({ psi: 0.3, drifted: true }, null, false)).toBe(true);
    expect(isSignificantDrift({ psi: 0.3, drifted: false }, null, false)).toBe(false);
    expect(isSignificantDrift({ psi: 0.2, drifted: true }, null, false)).toBe(false);
  });
  it("uncalibrated: a model's own floor", () =>
    expect(isSignificantDrift({ psi: 0.3, drifted: true }, null, false, 0.4)).toBe(false));
  it('never counts a missing PSI', () =>
    expect(isSignificantDrift({ psi: null, drifted: true }, null, false)).toBe(false));
});
