import { binColumns, binOf, computeThresholds, createBinMapper, rowMajorBins, thresholdsFromSorted } from './binning';

const f32 = (xs: number[]): Float32Array => Float32Array.from(xs);

describe('binning', () => {
  it('gives every distinct value its own bin when there are few', () => {
    expect(Array.from(thresholdsFromSorted(f32([1, 1, 2, 3, 3, 3]), 255))).toEqual([2, 3]);
  });
  it('never makes more than max_bin bins and never splits a value', () => {
    const sorted = f32(Array.from({ length: 1000 }, (_, i) => Math.floor(i / 3))).sort();
    const t = thresholdsFromSorted(sorted, 16);
    expect(t.length).toBeLessThanOrEqual(15);
    expect(t.every((v, i) => i === 0 || v > t[i - 1])).toBe(true);
    expect(t.every((v) => sorted.includes(v))).toBe(true);
  });
  it('makes roughly equal-count bins', () => {
    const sorted = f32(Array.from({ length: 10000 }, (_, i) => i)).sort();
    const t = thresholdsFromSorted(sorted, 10);
    expect(Array.from(t)).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
  });
  it('an empty or constant column has one bin', () => {
    expect(thresholdsFromSorted(f32([]), 255).length).toBe(0);
    expect(thresholdsFromSorted(f32([5, 5, 5]), 255).length).toBe(0);
  });
  it('bin(x) <= b exactly when fround(x) < threshold b (edges included)', () => {
    const th = f32([-1, 0.1, 2.5]);
    const xs = [
      -2,
      -1,
      Math.fround(-1) - 1e-7,
      0,
      0.1,
      Math.fround(0.1),
      0.1000001,
      2.5,
      2.49999,
      3,
      Infinity,
      -Infinity,
    ];
    for (const x of xs) {
      const bin = binOf(Math.fround(x), th);
      for (let b = 0; b < th.length; b++) expect(bin <= b).toBe(Math.fround(x) < th[b]);
    }
  });
  it('NaN goes to the missing bin, one past the value bins', () => {
    expect(binOf(Number.NaN, f32([1, 2]))).toBe(3);
  });
  it('never uses an infinity as a threshold', () => {
    const [t] = computeThresholds([f32([-Infinity, 1, 2, Infinity])], 255);
    expect(Array.from(t)).toEqual([2]);
  });
  it('the grid-accelerated column binning equals the binary search, on skewed data', () => {
    const n = 20000;
    const col = new Float32Array(n);
    for (let i = 0; i < n; i++)
      col[i] = i % 97 === 0 ? Number.NaN : Math.fround(Math.sinh(((i * 7919) % 2003) / 100) * (i % 5 === 0 ? 1e6 : 1));
    const mapper = createBinMapper(computeThresholds([col], 255));
    const bins = new Uint8Array(n);
    binColumns([col], mapper, bins, 0, 1);
    for (let i = 0; i < n; i++) expect(bins[i]).toBe(binOf(col[i], mapper.thresholds[0]));
  });
  it('row-major bins carry the feature offsets', () => {
    const mapper = createBinMapper([f32([1]), f32([1, 2])]);
    expect(Array.from(mapper.offsets)).toEqual([0, 3]);
    expect(mapper.totalBins).toBe(7);
    const colBins = Uint8Array.from([0, 1, 2, 0, 3, 1]); // 3 rows, column-major
    const out = new Uint16Array(6);
    rowMajorBins(colBins, 3, mapper, out);
    expect(Array.from(out)).toEqual([0, 3, 1, 6, 2, 4]);
  });
});
