import { RISK_TIERS, type RiskTier } from '@pulse/contracts';
import type { RiskOptions, RiskTierRule } from './risk-tier.types';

function tierOf(cls: string, options: RiskOptions): RiskTier | undefined {
  const mapped = options.classTiers?.[cls];
  if (mapped !== undefined) return mapped;
  return (RISK_TIERS as readonly string[]).includes(cls) ? (cls as RiskTier) : undefined;
}

/**
 * Multiclass with risk classes (dropout_risk's low / medium / high): the tier is the most probable
 * class's, the confidence that class's probability.
 */
export const multiclassRiskTier: RiskTierRule = {
  task: 'multiclass',
  description: 'the most probable class is the tier; its probability the confidence',
  validate(classes, options) {
    for (const c of classes)
      if (tierOf(c, options) === undefined)
        throw new RangeError(`classTiers must give class "${c}" a tier (high, medium or low): its name is not one`);
  },
  assess(classes, probabilities, options) {
    let best = 0;
    for (let k = 1; k < classes.length; k++) if (probabilities[k] > probabilities[best]) best = k;
    return { tier: tierOf(classes[best], options)!, confidence: probabilities[best] };
  },
};
