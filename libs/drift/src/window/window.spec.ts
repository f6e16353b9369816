import { numericColumnDriftDetails, categoricalColumnDriftDetails } from '../column/column-drift';
import { ks2samp } from '../stats/ks-2samp';
import { sample, uniform, categories } from '../testing/random-data';
import { DriftWindow, mergeWindows } from './drift-window';
import { buildReferenceProfile, type NumericProfile } from './reference-profile';
import { windowDrift } from './window-drift';

/** Splits values into `parts` consecutive chunks of random sizes. */
function chunks<T>(values: T[], parts: number, u: () => number): T[][] {
  const cuts = Array.from({ length: parts - 1 }, () => Math.floor(u() * values.length)).sort((a, b) => a - b);
  return [0, ...cuts].map((start, i) => values.slice(start, i + 1 < parts ? cuts[i] : values.length));
}

describe('reference profile', () => {
  it('quantile edges (np.quantile, linear), ties merged; counts by numpy’s histogram rules', () => {
    const p = buildReferenceProfile([1, 2, 2, 2, 2, 3, 4, 5, 6, 10], { bins: 4 }) as NumericProfile;
    // np.quantile(x, [0, .25, .5, .75, 1]) = [1, 2, 2.5, 4.75, 10]
    expect([p.edges, p.counts, p.total, p.binning]).toEqual([[1, 2, 2.5, 4.75, 10], [1, 4, 2, 3], 10, 'quantile']);
  });
  it('equal-width edges (np.linspace) and the population std', () => {
    const p = buildReferenceProfile([0, 1, 3, NaN], { bins: 3, binning: 'equal-width' }) as NumericProfile;
    expect([p.edges, p.counts, p.missing, p.mean]).toEqual([[0, 1, 2, 3], [1, 1, 1], 1, 4 / 3]);
    expect(p.std).toBeCloseTo(1.247219128924647, 15);
  });
  it('a constant reference: one bin [v − 0.5, v + 0.5]', () =>
    expect((buildReferenceProfile([4, 4, 4]) as NumericProfile).edges).toEqual([3.5, 4.5]));
  it('categories sorted, counted by their text', () =>
    expect(buildReferenceProfile(['b', 'a', 'b', null, 'c'])).toMatchObject({
      kind: 'categorical',
      categories: ['a', 'b', 'c'],
      counts: [1, 2, 1],
      total: 4,
      missing: 1,
    }));
  it('the key follows the bins', () => {
    expect(buildReferenceProfile([1, 2, 3], { edges: [0, 5] }).key).toBe(
      buildReferenceProfile([4, 4], { edges: [0, 5] }).key,
    );
    expect(buildReferenceProfile([1, 2, 3]).key).not.toBe(buildReferenceProfile([1, 2, 4]).key);
  });
  it('refuses bad options and empty data, naming them', () => {
    expect(() => buildReferenceProfile([1], { bins: 0 })).toThrow(
      new RangeError('options.bins must be an integer from 1 to 10000, got 0'),
    );
    expect(() => buildReferenceProfile([1], { binning: 'log' as never })).toThrow(/options.binning must be/);
    expect(() => buildReferenceProfile([1], { edges: [0, 0] })).toThrow(/options.edges must increase/);
    expect(() => buildReferenceProfile([NaN])).toThrow(new RangeError('values has no values (all 1 are missing)'));
    expect(() => buildReferenceProfile(5 as never)).toThrow(new TypeError('values must be an array'));
  });
});

describe('drift window', () => {
  const u = uniform(11);
  const reference = sample(u, 3000, 'normal', 0);
  const profile = buildReferenceProfile(reference, { bins: 10 });

  it('counts into the bins plus an underflow and an overflow bin, skipping missing values', () => {
    const w = new DriftWindow(buildReferenceProfile([0, 1, 2, 3], { edges: [0, 1, 2, 3] }));
    w.addAll([-5, 0, 0.5, 1, 2.999, 3, 3.5, NaN, null, Infinity]);
    expect([w.counts, w.total, w.missing]).toEqual([[1, 2, 1, 2, 1], 7, 3]);
    expect([w.toState().underflowSum, w.toState().overflowSum]).toEqual([-5, 3.5]);
  });

  it('merging partial windows equals one window over all values (integers: bit for bit)', () => {
    for (const seed of [1, 2, 3]) {
      const v = uniform(seed);
      const values = sample(v, 5000, 'integers', 0.4).map((x, i) => (i % 97 === 0 ? NaN : x * 2));
      const whole = new DriftWindow(profile).addAll(values);
      const parts = chunks(values, 2 + seed * 2, v).map((c) => new DriftWindow(profile).addAll(c));
      const merged = parts.reduce((a, b) => mergeWindows(a, b));
      const reversed = [...parts].reverse().reduce((a, b) => DriftWindow.merge(a, b));
      expect(merged.toState()).toEqual(whole.toState());
      expect(reversed.toState()).toEqual(whole.toState());
      expect(windowDrift(merged)).toEqual(windowDrift(whole));
    }
  });

  it('merging windows of real values: the same counts, the tail sums equal to rounding', () => {
    const values = sample(u, 4000, 'normal', 1.2);
    const whole = new DriftWindow(profile).addAll(values);
    const merged = chunks(values, 5, u)
      .map((c) => new DriftWindow(profile).addAll(c))
      .reduce((a, b) => mergeWindows(a, b));
    expect([merged.counts, merged.total, merged.missing]).toEqual([whole.counts, whole.total, whole.missing]);
    expect(merged.toState().overflowSum).toBeCloseTo(whole.toState().overflowSum, 9);
    const [a, b] = [windowDrift(merged), windowDrift(whole)];
    expect([a.psi, a.js, a.ks, a.chi2, a.drifted]).toEqual([b.psi, b.js, b.ks, b.chi2, b.drifted]);
    expect(a.wasserstein).toBeCloseTo(b.wasserstein!, 12);
  });

  it('round-trips its state, and refuses a state or window of another profile', () => {
    const w = new DriftWindow(profile).addAll([0.1, 5, -7]);
    expect(DriftWindow.fromState(profile, JSON.parse(JSON.stringify(w.toState()))).toState()).toEqual(w.toState());
    const other = buildReferenceProfile([1, 2, 3]);
    expect(() => DriftWindow.fromState(other, w.toState())).toThrow(/state belongs to profile/);
    expect(() => mergeWindows(w, new DriftWindow(other))).toThrow(/b counts into another profile/);
    expect(() => DriftWindow.fromState(profile, { ...w.toState(), total: 99 })).toThrow(/state.total \(99\)/);
    expect(() => new DriftWindow(profile).add('x')).toThrow(
      new TypeError('value must be a number, null or undefined, got string'),
    );
    expect(() => windowDrift(new DriftWindow(profile).addAll([NaN]))).toThrow(
      new RangeError('window has no values (all 1 are missing)'),
    );
  });
});

describe('window metrics from bins', () => {
  // integers 0..9 with one bin per value ([k − 0.5, k + 0.5)): the bins lose nothing, so the binned
  // numbers equal those of the raw values
  const u = uniform(5);
  const ints = (n: number, shift: number) =>
    sample(u, n, 'integers', shift).map((x) => Math.min(9, Math.max(0, x + 4)));
  const edges = Array.from({ length: 11 }, (_, k) => k - 0.5);

  it('when each value has its own bin: ks, chi2, psi, js and wasserstein are those of the raw values', () => {
    for (const [nr, nc, shift] of [
      [800, 300, 0],
      [800, 300, 0.5],
      [5000, 4000, 0.2],
    ]) {
      const reference = ints(nr, 0);
      const current = ints(nc, shift);
      const w = windowDrift(new DriftWindow(buildReferenceProfile(reference, { edges })).addAll(current));
      const exact = numericColumnDriftDetails(reference, current).result;
      const categorical = categoricalColumnDriftDetails(reference, current).result;
      const ks = ks2samp(Float64Array.from(reference).sort(), Float64Array.from(current).sort());
      expect(w.ks!.statistic).toBeCloseTo(ks.statistic, 15);
      expect(w.ks!.p_value).toBeCloseTo(ks.pValue, 12);
      expect(w.wasserstein).toBeCloseTo(exact.wasserstein!, 12);
      expect(w.chi2.statistic).toBeCloseTo(categorical.chi2!.statistic, 9);
      expect(w.chi2.p_value).toBeCloseTo(categorical.chi2!.p_value, 12);
      expect(w.psi).toBeCloseTo(categorical.psi, 12);
      expect(w.js).toBeCloseTo(categorical.js, 12);
    }
  });

  it('values beyond the reference’s edges: Wasserstein still exact (their mass at their mean)', () => {
    const reference = ints(600, 0);
    const current = [...ints(200, 0), 12, 15, 15, -3];
    const w = windowDrift(new DriftWindow(buildReferenceProfile(reference, { edges })).addAll(current));
    expect(w.wasserstein).toBeCloseTo(numericColumnDriftDetails(reference, current).result.wasserstein!, 12);
    expect(w.chi2).toEqual({ statistic: Infinity, p_value: 0 });
  });

  it('binned KS is never above the exact D, nor its p-value below (coarse bins)', () => {
    for (const [seed, bins] of [
      [1, 5],
      [2, 10],
      [3, 20],
    ]) {
      const v = uniform(seed);
      const reference = sample(v, 2000, 'normal', 0);
      const profile = buildReferenceProfile(reference, { bins });
      for (const shift of [0, 0.1, 0.4, 1]) {
        const current = sample(v, 700, 'normal', shift);
        const w = windowDrift(new DriftWindow(profile).addAll(current));
        const exact = ks2samp(Float64Array.from(reference).sort(), Float64Array.from(current).sort());
        expect(w.ks!.statistic).toBeLessThanOrEqual(exact.statistic);
        expect(w.ks!.p_value).toBeGreaterThanOrEqual(exact.pValue);
        // and not far off with deciles of a smooth distribution
        if (bins >= 10) expect(exact.statistic - w.ks!.statistic).toBeLessThan(0.05);
      }
    }
  });

  it('drifted by Evidently’s default choice on the profile’s size', () => {
    const small = buildReferenceProfile(sample(u, 500, 'normal', 0));
    const large = buildReferenceProfile(sample(u, 5000, 'normal', 0));
    const shifted = sample(u, 400, 'normal', 0.6);
    const same = sample(u, 400, 'normal', 0);
    expect(windowDrift(new DriftWindow(small).addAll(shifted))).toMatchObject({
      drifted: true,
      decision: { test: 'ks' },
    });
    expect(windowDrift(new DriftWindow(small).addAll(same)).decision.test).toBe('ks');
    expect(windowDrift(new DriftWindow(large).addAll(shifted))).toMatchObject({
      drifted: true,
      decision: { test: 'wasserstein' },
    });
    expect(windowDrift(new DriftWindow(large).addAll(same))).toMatchObject({ drifted: false });
    const cats = buildReferenceProfile(categories(u, 300, ['a', 'b', 'c'], [1, 1, 1]));
    const d = windowDrift(new DriftWindow(cats).addAll(categories(u, 300, ['a', 'b', 'c', 'z'], [1, 1, 1, 0.3])));
    expect(d).toMatchObject({ drifted: true, decision: { test: 'chi2' }, chi2: { statistic: Infinity } });
    expect(Object.keys(d)).toEqual(['psi', 'js', 'chi2', 'drifted', 'decision', 'rows', 'missing']);
  });

  it('decides with a threshold given for the deciding test, and refuses one outside (0, 1)', () => {
    const large = buildReferenceProfile(sample(u, 5000, 'normal', 0));
    const w = new DriftWindow(large).addAll(sample(u, 400, 'normal', 0.3));
    const d = windowDrift(w);
    expect(d.decision.test).toBe('wasserstein');
    expect(d.drifted).toBe(d.decision.score >= 0.1);
    const above = windowDrift(w, { thresholds: { wasserstein: d.decision.score + 0.01 } });
    expect(above).toMatchObject({ drifted: false, decision: { threshold: d.decision.score + 0.01 } });
    expect(windowDrift(w, { thresholds: { wasserstein: d.decision.score - 0.01 } }).drifted).toBe(true);
    expect(windowDrift(w, { thresholds: { ks: 0.5 } }).decision.threshold).toBe(0.1); // not the deciding test
    expect(() => windowDrift(w, { thresholds: { wasserstein: 0 } })).toThrow(/thresholds.wasserstein/);
  });
});
