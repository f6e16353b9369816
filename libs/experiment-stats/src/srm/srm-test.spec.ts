import { srmTest } from './srm-test';

// scipy.stats.chisquare(counts, total * weights)
describe('srmTest', () => {
  it('chi-square of 5120 / 4880 at 50/50', () => expect(srmTest([5120, 4880], [0.5, 0.5]).chi2).toBeCloseTo(5.76, 12));
  it('its p-value', () => expect(srmTest([5120, 4880], [0.5, 0.5]).pValue).toBeCloseTo(0.01639507184919225, 14));
  it('not flagged at p = 0.016', () => expect(srmTest([5120, 4880], [0.5, 0.5]).flagged).toBe(false));
  it('three unequal weights', () =>
    expect(srmTest([300, 330, 370], [0.3, 0.3, 0.4]).pValue).toBeCloseTo(0.07243975703425146, 14));
  it('flagged below 0.001', () => expect(srmTest([5300, 4700], [0.5, 0.5]).flagged).toBe(true));
  it('expected counts', () => expect(srmTest([300, 330, 370], [0.3, 0.3, 0.4]).expected).toEqual([300, 300, 400]));
  it('degrees of freedom', () => expect(srmTest([300, 330, 370], [0.3, 0.3, 0.4]).df).toBe(2));
  it('refuses weights not summing to 1', () =>
    expect(() => srmTest([10, 10], [0.5, 0.6])).toThrow(new RangeError('weights must sum to 1, got 1.1')));
  it('refuses a zero weight', () =>
    expect(() => srmTest([10, 10], [1, 0])).toThrow(new RangeError('weights[1] must be > 0, got 0')));
  it('refuses a weight per variant missing', () =>
    expect(() => srmTest([10, 10, 10], [0.5, 0.5])).toThrow(/weights has 2 weights, expected 3/));
  it('refuses a fractional count', () =>
    expect(() => srmTest([10.5, 10], [0.5, 0.5])).toThrow(/counts\[0\] must be an integer ≥ 0, got 10\.5/));
  it('refuses a single variant', () => expect(() => srmTest([10], [1])).toThrow(/at least two variants/));
});
