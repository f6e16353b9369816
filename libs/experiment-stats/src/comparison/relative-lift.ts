import { zQuantile } from '../distributions';

/**
 * Relative lift m_t / m_c − 1 with its delta-method interval: Var ≈ V_t / m_c² + m_t² V_c / m_c⁴,
 * where V is each mean's variance (the test's own: p(1 − p)/n for proportions, s²/n for means), and
 * the normal quantile (the delta method is asymptotic).
 */
export function relativeLift(
  treatmentMean: number,
  treatmentMeanVariance: number,
  controlMean: number,
  controlMeanVariance: number,
  alpha: number,
): { relativeLift: number; relativeCiLow: number; relativeCiHigh: number } {
  if (controlMean === 0) return { relativeLift: NaN, relativeCiLow: NaN, relativeCiHigh: NaN };
  const lift = treatmentMean / controlMean - 1;
  const c2 = controlMean * controlMean;
  const se = Math.sqrt(treatmentMeanVariance / c2 + (treatmentMean * treatmentMean * controlMeanVariance) / (c2 * c2));
  const half = zQuantile(1 - alpha / 2) * se;
  return { relativeLift: lift, relativeCiLow: lift - half, relativeCiHigh: lift + half };
}
