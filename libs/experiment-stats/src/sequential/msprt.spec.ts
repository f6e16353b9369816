import { sequentialTest } from './msprt';

// GrowthBook's formulas (Waudby-Smith et al. eq. 9 and 155, rho from eq. 161), evaluated with numpy.
describe('sequentialTest (mixture SPRT)', () => {
  const r = sequentialTest({ difference: 0.5, standardError: 0.2, n: 1000 });
  it('always-valid p-value with the default mixture', () => expect(r.pValue).toBeCloseTo(0.2364896480545916, 13));
  it('always-valid interval half-width', () => expect(r.ciHigh - 0.5).toBeCloseTo(0.6727775451565562, 13));
  it('symmetric interval', () => expect(0.5 - r.ciLow).toBeCloseTo(0.6727775451565562, 13));
  it('p-value 1 while the evidence is weak', () =>
    expect(sequentialTest({ difference: 0.1, standardError: 0.2, n: 1000 }).pValue).toBe(1));
  it('strong evidence', () =>
    expect(sequentialTest({ difference: 0.9, standardError: 0.2, n: 20000 }).pValue).toBeCloseTo(
      0.0003123395778569778,
      16,
    ));
  it('wider than the fixed-horizon interval', () => expect(r.ciHigh - 0.5).toBeGreaterThan(1.96 * 0.2));
  // Johari et al.: sqrt(V/(V + n tau²)) exp(n² tau² d² / (2V(V + n tau²))), V = 2, n = 100, tau² = 0.01
  it('explicit mixing variance: Johari et al.’s form', () =>
    expect(
      sequentialTest({ difference: 0.3, standardError: Math.sqrt(0.02), n: 200 }, { mixingVariance: 0.01 }).pValue,
    ).toBeCloseTo(0.5785285128864824, 14));
  it('explicit mixing variance: interval', () =>
    expect(
      sequentialTest({ difference: 0.3, standardError: Math.sqrt(0.02), n: 200 }, { mixingVariance: 0.01 }).ciHigh,
    ).toBeCloseTo(0.3 + 0.6195286751337413, 14));
  it('keeps the running minimum', () =>
    expect(sequentialTest({ difference: 0.5, standardError: 0.2, n: 1000 }, { previousPValue: 0.1 }).pValue).toBe(0.1));
  it('does not overflow on overwhelming evidence', () =>
    expect(sequentialTest({ difference: 100, standardError: 0.01, n: 1e6 }).pValue).toBe(0));
  it('reports the default mixing variance', () =>
    expect(r.mixingVariance).toBeCloseTo(
      ((-2 * Math.log(0.05) + Math.log(1 - 2 * Math.log(0.05))) / 5000) * 0.04 * 1000,
      14,
    ));
  it('refuses a non-positive tuning parameter', () =>
    expect(() => sequentialTest({ difference: 1, standardError: 1, n: 10 }, { tuningParameter: 0 })).toThrow(
      new RangeError('tuningParameter must be > 0, got 0'),
    ));
  it('refuses a negative standard error', () =>
    expect(() => sequentialTest({ difference: 1, standardError: -1, n: 10 })).toThrow(/standardError must be ≥ 0/));
  it('refuses alpha 0', () =>
    expect(() => sequentialTest({ difference: 1, standardError: 1, n: 10 }, { alpha: 0 })).toThrow(
      /alpha must be in \(0, 1\), got 0/,
    ));
});
