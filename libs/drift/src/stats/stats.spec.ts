import { chiSquareSf, chiSquareTest } from './chi-square';
import { jensenShannonDistance } from './jensen-shannon';
import { ks2samp, ksStatistic, ksTest } from './ks-2samp';
import { kstwoSf } from './kstwo';
import { numpyStd } from './moments';
import { populationStabilityIndex } from './psi';
import { smirnovSf } from './smirnov';
import { wassersteinDistance, wassersteinFromMasses } from './wasserstein';
import { proportionsZTest } from './z-test';

// Expected values from scipy 1.17.1 / numpy 2.4.6.
const close = (actual: number, expected: number, digits = 12) => expect(actual).toBeCloseTo(expected, digits);

describe('ks_2samp', () => {
  it('small samples: exact p', () => {
    const r = ks2samp([1, 2, 3, 4, 5], [3, 4, 5, 6, 7, 8]);
    expect(r).toEqual({ statistic: 0.5, pValue: expect.any(Number), method: 'exact' });
    close(r.pValue, 0.35714285714285715, 14);
  });
  it('exact, unequal sizes (the path-count band)', () => close(ksTest(0.3, 40, 60).pValue, 0.02254577544638676, 14));
  it('exact, equal sizes (the square)', () => close(ksTest(0.3, 50, 50).pValue, 0.02170784069014051, 14));
  it('asymptotic above 10,000: kstwo.sf(D, round(n1 n2 / (n1 + n2)))', () => {
    expect(ksTest(0.02, 20000, 15000).method).toBe('asymp');
    close(ksTest(0.02, 20000, 15000).pValue, 0.002075777528008902, 14);
  });
  it('one sample above 10,000, the other small', () => {
    const a = Array.from({ length: 10001 }, (_, i) => i / 10000);
    const b = Array.from({ length: 300 }, (_, i) => 0.05 + i / 299);
    const r = ks2samp(a, b);
    close(r.statistic, 0.05313335333133351, 15);
    close(r.pValue, 0.3709830552966962, 12);
  });
  it('the statistic over tied values compares the ECDFs after each value', () =>
    expect(ksStatistic([1, 1, 2, 2], [1, 2, 2, 2])).toBe(0.25));
  it('snaps D to h / lcm in exact mode and says so in the statistic', () =>
    expect(ksTest(0.30000000000000004, 40, 60).statistic).toBe(0.3));
  it('refuses empty samples', () => expect(() => ks2samp([], [1])).toThrow(RangeError));
});

describe('kstwo.sf, each of scipy’s branches', () => {
  it.each([
    [3, 0.3, 0.8862222222222222], // Ruben-Gambino, x <= 1/n
    [200, 0.99, 0], // Ruben-Gambino, x >= 1 - 1/n
    [5, 0.6, 0.03008000000000001], // x >= 0.5: 2 smirnov
    [5, 0.3, 0.664], // Durbin matrix
    [100, 0.05, 0.9532159710635725], // Durbin matrix
    [50, 0.2, 0.03143877776953241], // Pomeranz
    [1000, 0.012, 0.9984464668620097], // Durbin matrix, n > 140
    [141, 0.05, 0.854845693009663], // Pelz-Good
    [1000, 0.03, 0.3226902143914636], // Pelz-Good
    [1000, 0.06, 0.001428597887952891], // 2 smirnov
    [300000, 0.004, 0.0001350930819402544], // Pelz-Good, n > 100,000
  ])('n = %d, d = %d', (n, d, p) => close(kstwoSf(d, n), p, 13));
  it('1 at or below the support 0.5/n, 0 from 1', () => expect([kstwoSf(0.001, 100), kstwoSf(1, 100)]).toEqual([1, 0]));
});

describe('smirnov', () => {
  it.each([
    [10, 0.4, 0.02949469039999999],
    [1000, 0.05, 0.006506037390545166],
    [2000000, 0.001, 0.018303432023617325],
  ])('n = %d, x = %d', (n, x, p) => close(smirnovSf(n, x), p, 14));
});

describe('wasserstein', () => {
  it('between samples', () => expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).toBe(5));
  it('with ties and unequal sizes', () =>
    close(wassersteinDistance([0, 0.5, 1, 1, 2.5], [0.25, 1, 3]), 0.4833333333333335, 15));
  it('from masses on support points', () =>
    expect(wassersteinFromMasses([0, 1, 3, 5], [1, 1, 1, 0], 3, [0, 0, 1, 2], 3)).toBe(3));
  it('np.std is the population std', () => close(numpyStd([0, 1, 3]), 1.247219128924647, 15));
});

describe('chi-square, JS, PSI, z', () => {
  it('chisquare statistic and p', () => {
    const r = chiSquareTest([10, 20, 30], [20, 20, 20]);
    expect(r.statistic).toBe(10);
    close(r.pValue, 0.006737946999085468, 15);
  });
  it("chdtrc's tail keeps its relative precision", () => close(chiSquareSf(50, 3) / 7.989179244951495e-11, 1, 12));
  it('an expected 0 with an observed count: statistic +inf, p 0', () =>
    expect(chiSquareTest([1, 2, 1], [2, 2, 0])).toEqual({ statistic: Infinity, pValue: 0 }));
  it('one category: 0 degrees of freedom, p NaN', () => expect(chiSquareTest([3], [3]).pValue).toBeNaN());
  it('Jensen-Shannon distance, natural log', () =>
    close(jensenShannonDistance([2 / 6, 1 / 6, 3 / 6], [1 / 5, 2 / 5, 2 / 5]), 0.18961799165744211, 15));
  it('Jensen-Shannon of identical distributions is 0', () =>
    expect(jensenShannonDistance([0.2, 0.8], [0.2, 0.8])).toBe(0));
  it('PSI', () =>
    close(populationStabilityIndex([2 / 6, 1 / 6, 3 / 6], [1 / 5, 2 / 5, 2 / 5]), 0.2947004770161298, 15));
  it("Evidently's two-proportion z-test", () => {
    // reference 30 of 100 "no", current 45 of 100: z = -2.191, p = 0.02846
    const r = proportionsZTest(30, 100, 45, 100);
    close(r.statistic, -2.1908902300206647, 12);
    close(r.pValue, 0.02845973691631065, 12);
  });
});
