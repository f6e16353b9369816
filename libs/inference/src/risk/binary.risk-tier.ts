import type { RiskThresholds, RiskTierRule } from './risk-tier.types';

/** Default tier thresholds on a binary model's risk (the unwanted outcome's probability). */
export const DEFAULT_RISK_THRESHOLDS: RiskThresholds = Object.freeze({ high: 0.6, medium: 0.3 });

/**
 * Binary: the risk r is the probability of the unwanted outcome (e.g. not completing the lesson);
 * high when r ≥ thresholds.high, medium when r ≥ thresholds.medium, else low. The confidence is the
 * probability of the outcome the tier leans to: max(r, 1 − r).
 */
export const binaryRiskTier: RiskTierRule = {
  task: 'binary',
  description: 'risk = P(unwanted outcome): high ≥ 0.6, medium ≥ 0.3, else low; confidence max(r, 1 − r)',
  validate(classes, options) {
    const unwanted = options.unwantedClass ?? classes[1];
    if (!classes.includes(unwanted))
      throw new RangeError(`unwantedClass "${unwanted}" is not one of the classes (${classes.join(', ')})`);
    const t = options.thresholds ?? DEFAULT_RISK_THRESHOLDS;
    if (!(t.medium >= 0 && t.medium <= t.high && t.high <= 1))
      throw new RangeError(`thresholds must hold 0 ≤ medium ≤ high ≤ 1, got medium ${t.medium}, high ${t.high}`);
  },
  assess(classes, probabilities, options) {
    const k = classes.indexOf(options.unwantedClass ?? classes[1]);
    const t = options.thresholds ?? DEFAULT_RISK_THRESHOLDS;
    const r = probabilities[k];
    return {
      tier: r >= t.high ? 'high' : r >= t.medium ? 'medium' : 'low',
      confidence: Math.max(r, 1 - r),
    };
  },
};
