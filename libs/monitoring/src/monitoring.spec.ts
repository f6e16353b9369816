import { auc } from '@pulse/ml-metrics';
import { ALERT_RULES } from './alerts/alert-rule.registry';
import { DEFAULT_ALERT_RULE_OPTIONS, type WindowSnapshot } from './alerts/alert.types';
import { INITIAL_ALERT_STATE, nextAlertState } from './alerts/alert-state';
import { estimatedAuc } from './quality/cbpe';
import { windowQuality, type FairnessGap, type WindowQuality } from './quality/window-quality';
import { parseWindowSize, windowLabel, windowStart } from './windows/tumbling-window';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('windows', () => {
  it('parses sizes and aligns windows on the epoch', () => {
    expect(parseWindowSize('1h')).toBe(3_600_000);
    expect(parseWindowSize('1d')).toBe(86_400_000);
    expect(parseWindowSize('30m')).toBe(1_800_000);
    expect(() => parseWindowSize('1w')).toThrow(RangeError);
    expect(() => parseWindowSize('0m')).toThrow(/between/);
    expect(windowStart(3_600_000 * 5 + 17, 3_600_000)).toBe(3_600_000 * 5);
    expect(windowStart(-1, 1000)).toBe(-1000);
    expect(windowLabel(86_400_000)).toBe('1d');
    expect(windowLabel(7_200_000)).toBe('2h');
  });
});

describe('CBPE estimate of AUC', () => {
  it('gives known values', () => {
    expect(estimatedAuc([0.9, 0.1])).toBeCloseTo(0.9, 12);
    expect(estimatedAuc([0.5, 0.5, 0.5])).toBeCloseTo(0.5, 12);
    expect(estimatedAuc([1, 1])).toBeNaN();
    expect(() => estimatedAuc([0.2, 1.2])).toThrow(/probabilities\[1\]/);
  });

  it('is within 0.01 of the realised AUC when labels follow calibrated scores (20 seeds, 20,000 rows)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = lcg(seed);
      const p = Array.from({ length: 20_000 }, () => {
        const z = (rand() - 0.5) * 6;
        return 1 / (1 + Math.exp(-z));
      });
      const y = p.map((x) => (rand() < x ? 1 : 0));
      expect(Math.abs(estimatedAuc(p) - auc(y, p))).toBeLessThan(0.01);
    }
  });

  it('is far from the realised AUC when the scores are not calibrated (the estimate is only as good as the calibration)', () => {
    const rand = lcg(3);
    const p = Array.from({ length: 20_000 }, () => rand());
    const y = p.map(() => (rand() < 0.5 ? 1 : 0)); // labels unrelated to the scores
    expect(auc(y, p)).toBeCloseTo(0.5, 1);
    expect(estimatedAuc(p)).toBeGreaterThan(0.75);
  });
});

describe('window quality', () => {
  it('equals the metrics lib on the same rows and reports fairness gaps per attribute', () => {
    const rand = lcg(9);
    const rows = Array.from({ length: 500 }, (_, i) => {
      const score = rand();
      return {
        score,
        label: (rand() < score ? 1 : 0) as 0 | 1,
        groups: { region: i % 2 ? 'north' : 'south', role: 'student' },
      };
    });
    const q = windowQuality(rows, ['region', 'role']);
    expect(q.auc).toBe(
      auc(
        rows.map((r) => r.label),
        rows.map((r) => r.score),
      ),
    );
    expect(q.n).toBe(500);
    expect(q.fairness.map((f) => f.attribute)).toEqual(['region']); // role has one group
    expect(q.fairness[0].demographicParityDifference).toBeGreaterThanOrEqual(0);
    expect(windowQuality([{ score: 0.3, label: 1 }]).auc).toBeNull();
    expect(windowQuality([]).logloss).toBeNull();
  });

  it('measures fairness gaps beyond sampling noise when rows carry entity ids', () => {
    // Six roles, scores and labels independent of the role: every gap is chance, and 40 entities a role
    // with several predictions each leave a lot of it.
    const rand = lcg(4);
    const rows = Array.from({ length: 300 }, (_, i) => {
      const score = rand();
      return {
        score,
        label: (rand() < score ? 1 : 0) as 0 | 1,
        entityId: `e${i % 60}`,
        groups: { role: `r${i % 6}` },
      };
    });
    const [gap] = windowQuality(rows, ['role']).fairness;
    expect(gap.equalizedOddsDifference).toBeGreaterThan(0.1);
    expect(gap.equalizedOddsLowerBound).toBeLessThan(gap.equalizedOddsDifference!);
    expect(gap.demographicParityLowerBound).toBeLessThan(gap.demographicParityDifference!);
    expect(
      windowQuality(
        rows.map(({ entityId: _, ...r }) => r),
        ['role'],
      ).fairness[0].equalizedOddsLowerBound,
    ).toBeUndefined();
  });
});

describe('alert rules and their state', () => {
  const window = (over: Partial<WindowSnapshot>): WindowSnapshot => ({
    model: 'm',
    version: 1,
    windowMs: 86_400_000,
    windowStartMs: 0,
    predictions: 1000,
    drift: [],
    quality: null,
    estimatedAuc: null,
    trainingAuc: 0.8,
    fallbackShare: 0,
    fairnessMax: null,
    ...over,
  });
  const rule = (name: string) => ALERT_RULES.find((r) => r.name === name)!;
  const o = DEFAULT_ALERT_RULE_OPTIONS;

  it('judges a fairness gap beyond its sampling noise when the window measured it, else as measured', () => {
    const quality = (fairness: FairnessGap[]): WindowQuality => ({
      n: 400,
      positives: 200,
      auc: 0.8,
      aucStandardError: 0.02,
      logloss: 0.5,
      accuracy: 0.7,
      brier: 0.2,
      calibrationError: 0.05,
      meanScore: 0.5,
      fairness,
    });
    const gap = (raw: number, lower?: number) => ({
      attribute: 'role',
      groups: 6,
      demographicParityDifference: 0.01,
      equalizedOddsDifference: raw,
      ...(lower === undefined ? {} : { demographicParityLowerBound: 0, equalizedOddsLowerBound: lower }),
    });
    const fairness = rule('fairness_gap');
    expect(fairness.observe(window({ quality: quality([gap(0.34, 0.04)]) }), o)).toMatchObject({
      firing: false,
      value: 0.04,
    });
    expect(fairness.observe(window({ quality: quality([gap(0.34, 0.15)]) }), o)).toMatchObject({
      firing: true,
      value: 0.15,
    });
    expect(fairness.observe(window({ quality: quality([gap(0.34)]) }), o)).toMatchObject({ firing: true, value: 0.34 });
  });

  it('judges drift by the number of drifted features, and nothing on a thin window', () => {
    const drift = (k: number) =>
      Array.from({ length: 10 }, (_, i) => ({ feature: `f${i}`, psi: i < k ? 0.5 : 0.01, drifted: i < k }));
    expect(rule('feature_drift').observe(window({ drift: drift(3) }), o)).toMatchObject({ firing: true, value: 3 });
    expect(rule('feature_drift').observe(window({ drift: drift(2) }), o)).toMatchObject({
      firing: false,
      clear: false,
    });
    expect(rule('feature_drift').observe(window({ drift: drift(1) }), o)).toMatchObject({ clear: true });
    expect(rule('feature_drift').observe(window({ drift: drift(9), predictions: 10 }), o)).toBeNull();
    // Evidently's verdict alone does not count once significance is known.
    const insignificant = drift(9).map((d) => ({ ...d, significant: false }));
    expect(rule('feature_drift').observe(window({ drift: insignificant }), o)).toMatchObject({
      firing: false,
      value: 0,
    });
    const three = drift(0).map((d, i) => ({ ...d, significant: i < 3 }));
    expect(rule('feature_drift').observe(window({ drift: three }), o)).toMatchObject({ firing: true, value: 3 });
  });

  it('alerts on an AUC more than 10 % below training, realised or estimated', () => {
    const q = (auc: number) => ({ ...windowQuality([]), n: 1000, auc });
    expect(rule('auc_drop').observe(window({ quality: q(0.71) }), o)).toMatchObject({
      firing: true,
      threshold: expect.closeTo(0.72, 12),
    });
    expect(rule('auc_drop').observe(window({ quality: q(0.73) }), o)).toMatchObject({ firing: false, clear: false });
    expect(rule('auc_drop').observe(window({ quality: q(0.74) }), o)).toMatchObject({ clear: true });
    expect(rule('estimated_auc_drop').observe(window({ estimatedAuc: 0.6 }), o)).toMatchObject({ firing: true });
    expect(rule('auc_drop').observe(window({ quality: { ...q(0.5), n: 10 } }), o)).toBeNull();
  });

  it('fires on a realised AUC low beyond its sampling noise only', () => {
    const q = (auc: number, aucStandardError: number) => ({ ...windowQuality([]), n: 300, auc, aucStandardError });
    // threshold 0.72: 0.668 + 1.645 × 0.03 = 0.717 is below it, 0.68 + 1.645 × 0.03 = 0.729 is not.
    expect(rule('auc_drop').observe(window({ quality: q(0.668, 0.03) }), o)).toMatchObject({ firing: true });
    expect(rule('auc_drop').observe(window({ quality: q(0.68, 0.03) }), o)).toMatchObject({ firing: false });
    expect(rule('auc_drop').observe(window({ quality: q(0.68, 0.03) }), o)!.message).toContain('±0.030');
  });

  it('fires once, stays quiet while firing, resolves inside the band only, and cools down', () => {
    let s = INITIAL_ALERT_STATE;
    const step = (firing: boolean, clear: boolean, t: number) => {
      const r = nextAlertState(s, { firing, clear }, t, 1000);
      s = r.state;
      return r.transition;
    };
    expect(step(true, false, 0)).toBe('fired');
    expect(step(true, false, 10)).toBeNull(); // deduplicated
    expect(step(false, false, 20)).toBeNull(); // below the threshold, not yet clear: no flap
    expect(step(false, true, 30)).toBe('resolved');
    expect(step(true, false, 500)).toBeNull(); // cooldown
    expect(step(true, false, 1030)).toBe('fired');
  });
});
