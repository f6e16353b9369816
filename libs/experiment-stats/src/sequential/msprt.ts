import { assertAlpha, assertFiniteNumber, assertPositive } from '../guards';

/** GrowthBook's default: the confidence sequence is tightest around 5,000 units in all. */
export const DEFAULT_TUNING_PARAMETER = 5000;

export interface SequentialOptions {
  /** Default 0.05. */
  readonly alpha?: number;
  /**
   * The mixing variance tau² of the normal mixture over the true difference (in the metric's units
   * squared). Default: GrowthBook's, rho² · s² with s² = se² · n the per-unit variance and
   * rho² = (−2 ln alpha + ln(1 − 2 ln alpha)) / tuningParameter, which makes the interval tightest
   * when n reaches the tuning parameter.
   */
  readonly mixingVariance?: number;
  /** Total units (treatment + control) where the default mixture is tuned to be tightest. Default 5000. */
  readonly tuningParameter?: number;
  /** The p-value of the previous look: an always-valid p-value is the running minimum. */
  readonly previousPValue?: number;
}

export interface SequentialResult {
  readonly pValue: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  readonly mixingVariance: number;
}

/**
 * Always-valid p-value and confidence interval for a difference of means by the mixture SPRT
 * (Johari et al. 2017; Waudby-Smith et al. 2023, eq. 9 and 155 as GrowthBook uses them). With the
 * estimate's variance v = se² and the mixture N(0, tau²) over the difference,
 *   likelihood ratio  L = sqrt(v / (v + tau²)) · exp(tau² d² / (2 v (v + tau²)))
 *   p-value           min(1, 1 / L)
 *   interval          d ± sqrt(v (v + tau²) / tau² · 2 ln(sqrt((v + tau²) / v) / alpha)).
 * They stay valid however often the data are looked at.
 */
export function sequentialTest(
  estimate: { readonly difference: number; readonly standardError: number; readonly n: number },
  options: SequentialOptions = {},
): SequentialResult {
  const alpha = options.alpha ?? 0.05;
  assertAlpha(alpha);
  const { difference, standardError, n } = estimate;
  assertFiniteNumber(difference, 'difference');
  assertFiniteNumber(standardError, 'standardError');
  if (standardError < 0) throw new RangeError(`standardError must be ≥ 0, got ${standardError}`);
  assertPositive(n, 'n');
  const v = standardError * standardError;
  // No variance, no evidence to weigh (as the fixed-horizon tests' NaN p-value).
  if (v === 0) return { pValue: NaN, ciLow: difference, ciHigh: difference, mixingVariance: NaN };
  const tau2 = options.mixingVariance ?? defaultMixingVariance(v, n, alpha, options.tuningParameter);
  assertPositive(tau2, 'mixingVariance');

  // In logs: strong evidence would overflow exp() while 1/L just goes to 0.
  const logRatio = (tau2 * difference * difference) / (2 * v * (v + tau2)) - 0.5 * Math.log((v + tau2) / v);
  let pValue = logRatio <= 0 ? 1 : Math.min(1, Math.exp(-logRatio));
  if (options.previousPValue !== undefined) {
    assertFiniteNumber(options.previousPValue, 'previousPValue');
    pValue = Math.min(pValue, options.previousPValue);
  }
  const half = Math.sqrt(((v * (v + tau2)) / tau2) * 2 * Math.log(Math.sqrt((v + tau2) / v) / alpha));
  return { pValue, ciLow: difference - half, ciHigh: difference + half, mixingVariance: tau2 };
}

function defaultMixingVariance(v: number, n: number, alpha: number, tuning = DEFAULT_TUNING_PARAMETER): number {
  assertPositive(tuning, 'tuningParameter');
  const logAlpha = Math.log(alpha);
  const rho2 = (-2 * logAlpha + Math.log(-2 * logAlpha + 1)) / tuning;
  return rho2 * v * n;
}
