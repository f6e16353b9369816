import { binaryRiskTier } from './binary.risk-tier';
import { multiclassRiskTier } from './multiclass.risk-tier';
import type { RiskTierRule } from './risk-tier.types';

/** Risk-tier rules by task kind. Regression and ranking have none yet: a tier needs class probabilities. */
export const RISK_TIER_RULES: Readonly<Record<string, RiskTierRule>> = Object.freeze({
  [binaryRiskTier.task]: binaryRiskTier,
  [multiclassRiskTier.task]: multiclassRiskTier,
});

/** The rule for a task kind; a RangeError naming the task when there is none. */
export function riskTierRule(task: string): RiskTierRule {
  const rule = Object.hasOwn(RISK_TIER_RULES, task) ? RISK_TIER_RULES[task] : undefined;
  if (rule === undefined)
    throw new RangeError(`task "${task}" has no risk-tier rule (rules: ${Object.keys(RISK_TIER_RULES).join(', ')})`);
  return rule;
}
