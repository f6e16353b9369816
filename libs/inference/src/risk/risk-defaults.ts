import type { RiskOptions } from './risk-tier.types';

/**
 * Per-model risk defaults, for what a model spec does not declare. lesson_completion predicts
 * completing the lesson ("1"), so its risk is not completing: class "0".
 */
export const MODEL_RISK_DEFAULTS: Readonly<Record<string, RiskOptions>> = Object.freeze({
  lesson_completion: { unwantedClass: '0' },
});

/** The model's defaults overlaid with the caller's options. */
export function riskOptionsFor(model: string, override: RiskOptions = {}): RiskOptions {
  const defaults = Object.hasOwn(MODEL_RISK_DEFAULTS, model) ? MODEL_RISK_DEFAULTS[model] : {};
  return { ...defaults, ...override };
}
