import {
  categoricalColumnDrift,
  categoricalColumnDriftDetails,
  numericColumnDrift,
  numericColumnDriftDetails,
} from './column-drift';
import { defaultStatTest } from './default-stattest';

describe("Evidently's default test choice", () => {
  it.each([
    ['numeric', 1000, 6, 'ks'],
    ['numeric', 1000, 5, 'chi2'],
    ['numeric', 1000, 2, 'z'],
    ['numeric', 1001, 6, 'wasserstein'],
    ['numeric', 1001, 5, 'js'],
    ['categorical', 1000, 3, 'chi2'],
    ['categorical', 1000, 2, 'z'],
    ['categorical', 1000, 1, 'z'],
    ['categorical', 1001, 40, 'js'],
  ] as const)('%s, %d reference rows, %d distinct values: %s', (kind, rows, distinct, test) =>
    expect(defaultStatTest(kind, rows, distinct)).toBe(test),
  );
});

describe('numeric column', () => {
  // numpy / scipy: edges [1, 3, 5, 7, 9]; ks_2samp → 0.5, p 0.4; wasserstein / std(ref) = 1.6 / 1.0198…
  const reference = [1, 2, 3, 4, 5];
  const current = [2, 3, 9];
  it('the result fields in order, ks and wasserstein, no chi2', () =>
    expect(Object.keys(numericColumnDrift(reference, current))).toEqual(['psi', 'js', 'ks', 'wasserstein', 'drifted']));
  it('Sturges bins over both samples (integers: numpy int64 binning)', () =>
    expect(Array.from(numericColumnDriftDetails(reference, current).edges!)).toEqual([1, 3, 5, 7, 9]));
  it('skips NaN and ±Infinity and counts them', () => {
    const d = numericColumnDriftDetails([1, NaN, 2, 3, 4, 5, Infinity], [2, -Infinity, 3, 9]);
    expect([d.rows, d.missing]).toEqual([
      { reference: 5, current: 3 },
      { reference: 2, current: 1 },
    ]);
    // missing values make pandas hold a float column: float binning
    expect(d.edges!.length).toBe(5);
    expect(d.result).toEqual(numericColumnDrift(reference, current, { integral: false }));
  });
  it('few distinct values below 1,000 rows: Evidently tests them as categories', () => {
    const d = numericColumnDriftDetails([0, 1, 2, 0, 1, 2, 0], [0, 0, 0, 1, 2, 2]);
    expect(d.decision.test).toBe('chi2');
    expect(d.result.chi2).toBeUndefined();
  });
  it('refuses an empty or all-missing sample, naming it', () => {
    expect(() => numericColumnDrift([], [1])).toThrow(new RangeError('reference must not be empty'));
    expect(() => numericColumnDrift([1], [NaN, NaN])).toThrow(
      new RangeError('current has no values (all 2 are missing)'),
    );
  });
  it('refuses what is not numbers, naming the argument', () => {
    expect(() => numericColumnDrift('abc' as never, [1])).toThrow(
      new TypeError('reference must be an array or typed array of numbers'),
    );
    expect(() => numericColumnDrift([1], [1, '2' as never])).toThrow(
      new TypeError('current[1] must be a number, got string'),
    );
    expect(() => numericColumnDrift([1], [1], { integral: 'yes' as never })).toThrow(TypeError);
  });
});

describe('categorical column', () => {
  it('psi, js, chi2 over the union of categories', () => {
    const r = categoricalColumnDrift(['a', 'a', 'b', 'c', 'c', 'c'], ['a', 'b', 'b', 'c', 'c']);
    expect(Object.keys(r)).toEqual(['psi', 'js', 'chi2', 'drifted']);
    expect(r.psi).toBeCloseTo(0.2947004770161298, 15);
    expect(r.js).toBeCloseTo(0.18961799165744211, 15);
    expect(r.chi2!.p_value).toBeCloseTo(0.3678794411714425, 14);
    expect(r.drifted).toBe(false);
  });
  it('a category only in the current sample: chi2 +inf, p 0, drifted', () =>
    expect(categoricalColumnDrift(['a', 'b', 'c'], ['a', 'b', 'd'])).toMatchObject({
      chi2: { statistic: Infinity, p_value: 0 },
      drifted: true,
    }));
  it('two categories below 1,000 rows: the Z-test decides', () => {
    const d = categoricalColumnDriftDetails(
      [...Array(70).fill('yes'), ...Array(30).fill('no')],
      [...Array(55).fill('yes'), ...Array(45).fill('no')],
    );
    expect(d.decision.test).toBe('z');
    expect(d.decision.score).toBeCloseTo(0.02845973691631065, 12);
    expect(d.result.drifted).toBe(true);
  });
  it('null, undefined and NaN are missing; 1 and 1.0 one category', () => {
    const d = categoricalColumnDriftDetails([1, 1.0, null, 'x'], [undefined, 1, 'x', NaN]);
    expect([d.rows, d.missing]).toEqual([
      { reference: 3, current: 2 },
      { reference: 1, current: 2 },
    ]);
    // reference 1 1 x, current 1 x: numpy gives PSI 0.11552453009332421
    expect(d.result.psi).toBeCloseTo(0.11552453009332421, 15);
  });
  it('refuses objects as categories', () =>
    expect(() => categoricalColumnDrift([{}], ['a'])).toThrow(
      new TypeError('reference[0] must be a string, number, boolean, null or undefined, got object'),
    ));
});
