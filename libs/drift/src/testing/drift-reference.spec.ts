// Every field of the per-column result on generated data against numpy / scipy (drift_reference.py):
// several seeds; sizes from 5 to 20,000 (both sides of ks_2samp's exact / asymptotic switch at 10,000
// and of Evidently's 1,000-row test choice); unshifted and shifted samples; ties, integer-valued
// columns (numpy int64 binning), wide and skewed ranges, missing values; categorical columns with
// categories only in one sample, two categories and one.
import { categoricalColumnDriftDetails, numericColumnDriftDetails } from '../column/column-drift';
import { Mismatches, P_TOLERANCE } from './compare';
import { pythonReference, type ReferenceCase, type ReferenceResult } from './python-reference';
import { categories, sample, uniform, type Shape } from './random-data';

const SIZES: Array<[number, number]> = [
  [5, 5],
  [5, 8],
  [6, 30],
  [17, 9],
  [50, 50],
  [200, 180],
  [999, 1000],
  [1000, 700],
  [1001, 1200],
  [2500, 2000],
  [5000, 5000],
  [10000, 10000],
  [10000, 9000],
  [10001, 300],
  [20000, 20000],
  [20000, 15000],
];
const SHAPES: Shape[] = ['normal', 'ties', 'integers', 'wide', 'lognormal'];
const SHIFTS = [0, 0.04, 0.3, 1.5];

interface NumericCase extends ReferenceCase {
  label: string;
  values: { reference: number[]; current: number[] };
}

function numericCases(seed: number): NumericCase[] {
  const u = uniform(seed);
  const cases: NumericCase[] = [];
  SIZES.forEach(([nr, nc], i) => {
    const shape = SHAPES[(i + seed) % SHAPES.length];
    const shift = SHIFTS[(i * 3 + seed) % SHIFTS.length];
    const reference = sample(u, nr, shape, 0);
    const current = sample(u, nc, shape, shift);
    // a few missing values in every third case: skipped by both sides
    if (i % 3 === 0) {
      reference.push(NaN, Infinity);
      current.splice(1, 0, -Infinity);
    }
    cases.push({
      label: `seed ${seed} ${shape} ${nr}/${nc} shift ${shift}`,
      kind: 'numeric',
      values: { reference, current },
      reference: reference.map((v) => (Number.isFinite(v) ? v : null)),
      current: current.map((v) => (Number.isFinite(v) ? v : null)),
      integral: shape === 'integers' && reference.every(Number.isFinite) && current.every(Number.isFinite),
    });
  });
  return cases;
}

const EDGE_CASES: NumericCase[] = [
  [
    [3, 3, 3, 3, 3],
    [3, 3, 3],
  ],
  [
    [2.5, 2.5],
    [2.5, 2.5, 2.5],
  ],
  [
    [1, 2, 3, 4, 5, 6, 7, 8],
    [1, 2, 3, 4, 5, 6, 7, 8],
  ],
  [Array.from({ length: 1024 }, (_, i) => i % 2), Array.from({ length: 1024 }, (_, i) => (i % 3 ? 1 : 0))],
  [Array.from({ length: 512 }, (_, i) => i / 7), Array.from({ length: 512 }, (_, i) => i / 7 + 0.5)],
  [Array.from({ length: 1500 }, (_, i) => i % 5), Array.from({ length: 1300 }, (_, i) => (i * 7) % 5)],
  [Array.from({ length: 300 }, (_, i) => (i % 4) * 0.5), Array.from({ length: 200 }, (_, i) => (i % 3) * 0.5)],
  [
    [0.1, 0.2, 0.30000000000000004, 1e-300, -1e-300],
    [5e-324, 0, -0],
  ],
].map(([reference, current], i) => ({
  label: `edge case ${i}`,
  kind: 'numeric',
  values: { reference, current },
  reference,
  current,
  integral: reference.every(Number.isInteger) && current.every(Number.isInteger),
}));

function categoricalCases(seed: number): ReferenceCase[] {
  const u = uniform(seed * 7919);
  const cases: ReferenceCase[] = [];
  SIZES.filter((_, i) => i % 2 === seed % 2).forEach(([nr, nc], i) => {
    const variant = (i + seed) % 4;
    if (variant === 0) {
      // categories only in one sample each
      cases.push({
        kind: 'categorical',
        reference: categories(u, nr, ['a', 'b', 'c', 'd'], [5, 3, 1, 1]),
        current: categories(u, nc, ['b', 'c', 'd', 'e'], [3, 3, 1, 0.5]),
      });
    } else if (variant === 1) {
      // two categories (Evidently's Z-test below 1,000 rows)
      cases.push({
        kind: 'categorical',
        reference: categories(u, nr, ['yes', 'no'], [3, 1]),
        current: categories(u, nc, ['yes', 'no'], [2.6, 1]),
      });
    } else if (variant === 2) {
      // the same many categories, slightly shifted, with missing values
      const names = Array.from({ length: 12 }, (_, k) => `c${k}`);
      const ref: Array<string | null> = categories(
        u,
        nr,
        names,
        names.map((_, k) => k + 1),
      );
      const cur: Array<string | null> = categories(
        u,
        nc,
        names,
        names.map((_, k) => k + 1.3),
      );
      ref.push(null);
      cur.unshift(null, null);
      cases.push({ kind: 'categorical', reference: ref, current: cur });
    } else {
      // a category the reference lacks, rarely seen
      cases.push({
        kind: 'categorical',
        reference: categories(u, nr, ['web', 'email', 'sms'], [6, 3, 1]),
        current: categories(u, nc, ['web', 'email', 'sms', 'slack'], [6, 3, 1, 0.02]),
      });
    }
  });
  cases.push({ kind: 'categorical', reference: ['x', 'x', 'x'], current: ['x', 'x'] });
  cases.push({ kind: 'categorical', reference: ['x', 'x', 'x'], current: ['y', 'y'] });
  return cases;
}

function compareNumeric(c: NumericCase, ref: ReferenceResult, m: Mismatches, integerFloor: boolean): void {
  // the default (numpy 2's int64 binning for integer samples) unless the reference's numpy predates it
  const ours = numericColumnDriftDetails(c.values.reference, c.values.current, integerFloor ? {} : { integral: false });
  const r = ours.result;
  const e = ref.result;
  m.exact(`${c.label} edges`, Array.from(ours.edges ?? []), ref.edges);
  m.number(`${c.label} psi`, r.psi, e.psi);
  m.number(`${c.label} js`, r.js, e.js);
  m.number(`${c.label} ks.statistic`, r.ks?.statistic, e.ks!.statistic);
  m.number(`${c.label} ks.p_value`, r.ks?.p_value, e.ks!.p_value, P_TOLERANCE);
  m.number(`${c.label} wasserstein`, r.wasserstein, e.wasserstein!);
  m.exact(`${c.label} drifted`, r.drifted, e.drifted);
  m.exact(`${c.label} test`, ours.decision.test, ref.decision.test);
  m.exact(`${c.label} fields`, Object.keys(r), ['psi', 'js', 'ks', 'wasserstein', 'drifted']);
}

function compareCategorical(label: string, c: ReferenceCase, ref: ReferenceResult, m: Mismatches): void {
  const ours = categoricalColumnDriftDetails(c.reference, c.current);
  const r = ours.result;
  const e = ref.result;
  m.number(`${label} psi`, r.psi, e.psi);
  m.number(`${label} js`, r.js, e.js);
  m.number(`${label} chi2.statistic`, r.chi2?.statistic, e.chi2!.statistic);
  m.number(`${label} chi2.p_value`, r.chi2?.p_value, e.chi2!.p_value, P_TOLERANCE);
  m.exact(`${label} drifted`, r.drifted, e.drifted);
  m.exact(`${label} test`, ours.decision.test, ref.decision.test);
  m.number(`${label} decision score`, ours.decision.score, ref.decision.score, P_TOLERANCE);
  m.exact(`${label} fields`, Object.keys(r), ['psi', 'js', 'chi2', 'drifted']);
}

describe('column drift against numpy / scipy on generated data', () => {
  const numeric = [...[1, 2, 3].flatMap(numericCases), ...EDGE_CASES];
  const categorical = [1, 2, 3].flatMap(categoricalCases);
  let expected: ReferenceResult[];
  let integerFloor: boolean;

  beforeAll(() => {
    const answer = pythonReference([...numeric, ...categorical]);
    expected = answer.results;
    integerFloor = answer.integer_width_floor;
  }, 600_000);

  it('covers both sides of the exact / asymptotic KS switch and of the 1,000-row test choice', () => {
    const sizes = numeric.map((c) => Math.max(c.reference.length, c.current.length));
    expect([Math.min(...sizes) <= 5, Math.max(...sizes) >= 20000]).toEqual([true, true]);
    const tests = new Set(expected.map((e) => e.decision.test));
    expect([...tests].sort()).toEqual(['chi2', 'js', 'ks', 'wasserstein', 'z']);
    expect(expected.some((e) => e.result.drifted)).toBe(true);
    expect(expected.some((e) => !e.result.drifted)).toBe(true);
  });

  it('numeric columns: Sturges edges exactly, psi, js, ks, wasserstein, drifted', () => {
    const m = new Mismatches();
    numeric.forEach((c, i) => compareNumeric(c, expected[i], m, integerFloor));
    expect(m.list).toEqual([]);
  }, 120_000);

  it('categorical columns: psi, js, chi2, drifted', () => {
    const m = new Mismatches();
    categorical.forEach((c, i) => compareCategorical(`categorical ${i}`, c, expected[numeric.length + i], m));
    expect(m.list).toEqual([]);
  });
});
