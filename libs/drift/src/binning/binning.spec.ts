import { histogramCounts, linspace, searchSorted, sturgesEdges } from './numpy-histogram';
import { numpySum } from './numpy-sum';
import { fillZeroes, proportions } from './proportions';

// Expected values from numpy 2.4.6 (np.histogram_bin_edges(a, bins='sturges'), np.histogram, np.sum).
describe('numpy binning', () => {
  it('Sturges edges over [min, max]: ceil(log2(n) + 1) bins by linspace', () =>
    expect(Array.from(sturgesEdges(1, 9, 8, false))).toEqual([1, 3, 5, 7, 9]));
  it('an int64 array gets a bin width of at least 1 (numpy 2), a float one does not', () => {
    expect(Array.from(sturgesEdges(0, 5, 1200, true))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sturgesEdges(0, 5, 1200, false).length).toBe(13);
  });
  it('a constant sample gets the one bin [v - 0.5, v + 0.5]', () => {
    expect(Array.from(sturgesEdges(7, 7, 3, true))).toEqual([6.5, 7.5]);
    expect(Array.from(sturgesEdges(2.5, 2.5, 1, false))).toEqual([2, 3]);
  });
  it('refuses a range too small for its bins, as numpy does', () =>
    expect(() => sturgesEdges(1, 1 + 2 ** -52, 1000, false)).toThrow(/too many bins for the data range/));
  it('linspace: start + i * step with the last value exactly stop', () => {
    expect(Array.from(linspace(0, 1, 4))).toEqual([0, 1 / 3, 2 / 3, 1]);
    expect(linspace(0.1, 0.7, 7)[6]).toBe(0.7);
  });
  it('histogram: [edge, next edge) per bin, the last bin closed, values outside left out', () => {
    expect(Array.from(histogramCounts([0, 1, 1, 2, 3, 3, 3], [0, 1, 2, 3]))).toEqual([1, 2, 4]);
    expect(Array.from(histogramCounts([-1, 0.5, 4], [0, 1, 2, 3]))).toEqual([1, 0, 0]);
  });
  it('searchSorted left and right', () => {
    expect([searchSorted([1, 2, 2, 3], 2, 'left'), searchSorted([1, 2, 2, 3], 2, 'right')]).toEqual([1, 3]);
  });
  it("np.sum's pairwise association, not a running sum", () => {
    const a = Array.from({ length: 300 }, (_, i) => (((i * 7919) % 1000) - 500) / 10 ** ((i * 13) % 17));
    let running = 0;
    for (const x of a) running += x;
    expect([numpySum(a), running]).toEqual([273.97216718842657, 273.97216718842685]);
  });
});

describe('proportions', () => {
  it('count / size', () => expect(Array.from(proportions([1, 3], 4))).toEqual([0.25, 0.75]));
  it("Evidently's zero filling: zeros become 0.0001 and nothing else moves", () =>
    expect(Array.from(fillZeroes([0, 0.5, 0.5]))).toEqual([0.0001, 0.5, 0.5]));
  it('or the smallest non-zero proportion / 10^6 when that is <= 0.0001', () =>
    expect(Array.from(fillZeroes([0, 0.00005, 0.99995]))).toEqual([0.00005 / 10 ** 6, 0.00005, 0.99995]));
});
