import { normalCdfStd, zQuantile } from '../distributions';
import { assertAlpha, assertFiniteNumber, assertOpenUnit, assertPositive } from '../guards';
import { cohenH } from './cohen-h';

export interface ProportionDesign {
  /** The control's conversion rate, in (0, 1). */
  readonly baseline: number;
  /** The smallest effect worth detecting: target − baseline, or a fraction of baseline with `relative`. */
  readonly mde: number;
  /** `mde` is relative: target = baseline · (1 + mde). Default false. */
  readonly relative?: boolean;
  /** Two-sided significance level. Default 0.05. */
  readonly alpha?: number;
}

/** The target rate the design wants to detect and its effect size (Cohen's h, target vs baseline). */
export function designEffect(design: ProportionDesign): { target: number; effectSize: number; alpha: number } {
  if (design === null || typeof design !== 'object') throw new TypeError('design must be an object');
  const { baseline, mde } = design;
  assertOpenUnit(baseline, 'baseline');
  assertFiniteNumber(mde, 'mde');
  if (mde === 0) throw new RangeError('mde must not be 0: no sample size detects no effect');
  const target = design.relative ? baseline * (1 + mde) : baseline + mde;
  if (!(target > 0 && target < 1)) throw new RangeError(`mde ${mde} puts the target rate at ${target}, outside (0, 1)`);
  const alpha = design.alpha ?? 0.05;
  assertAlpha(alpha);
  return { target, effectSize: cohenH(target, baseline), alpha };
}

/**
 * Power of the two-sided two-proportion test with n units per variant, as statsmodels
 * `NormalIndPower().power(h, n, alpha, ratio=1)`: both tails count,
 * Φ(|h|·√(n/2) − z) + Φ(−z − |h|·√(n/2)) with z = z(1 − alpha/2).
 */
export function proportionPower(design: ProportionDesign & { readonly nPerVariant: number }): number {
  const { effectSize, alpha } = designEffect(design);
  assertPositive(design.nPerVariant, 'nPerVariant');
  return powerAt(Math.abs(effectSize) * Math.sqrt(effectiveN(design.nPerVariant)), alpha);
}

export interface SampleSize {
  /** Units per variant, rounded up. */
  readonly perVariant: number;
  /** The unrounded solution. */
  readonly exact: number;
  readonly target: number;
  readonly effectSize: number;
}

/**
 * Units per variant for a two-sided two-proportion test to reach `power`: the n solving
 * statsmodels' `NormalIndPower().solve_power(effect_size=proportion_effectsize(target, baseline),
 * alpha, power, ratio=1)`, solved to the last bit (statsmodels stops within 1e-5), rounded up.
 */
export function proportionSampleSize(design: ProportionDesign & { readonly power?: number }): SampleSize {
  const { target, effectSize, alpha } = designEffect(design);
  const power = design.power ?? 0.8;
  assertOpenUnit(power, 'power');
  // With no units the two tails still reject alpha of the time: a power at or below it needs none.
  if (!(power > alpha)) throw new RangeError(`power must be greater than alpha (${alpha}), got ${power}`);
  const s = solveShift(power, alpha);
  const exact = (2 * s * s) / (effectSize * effectSize);
  return { perVariant: Math.ceil(exact), exact, target, effectSize };
}

/** statsmodels' effective n for ratio 1: 1 / (1/n + 1/n). */
function effectiveN(n: number): number {
  return 1 / (1 / n + 1 / n);
}

/** Two-sided power when the test statistic's mean is shifted by s ≥ 0. */
function powerAt(s: number, alpha: number): number {
  const upper = -zQuantile(alpha / 2);
  const lower = zQuantile(alpha / 2);
  return normalCdfStd(-(upper - s)) + normalCdfStd(lower - s);
}

/** The shift s with powerAt(s) = power, by bisection (powerAt increases in s) down to adjacent doubles. */
function solveShift(power: number, alpha: number): number {
  let lo = 0;
  // One tail alone reaches the power at z(1 − alpha/2) + z(power); the other tail only adds.
  let hi = -zQuantile(alpha / 2) + zQuantile(power);
  while (powerAt(hi, alpha) < power) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    if (powerAt(mid, alpha) < power) lo = mid;
    else hi = mid;
  }
  return hi;
}
