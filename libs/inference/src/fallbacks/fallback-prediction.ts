import type { FeatureValues } from '@pulse/features';
import type { ModelSpec, TriggerContext } from '@pulse/models';
import { riskOptionsFor } from '../risk/risk-defaults';
import { riskTierRule } from '../risk/risk-tier.registry';
import type { RiskOptions } from '../risk/risk-tier.types';
import { classOutcome } from '../scoring/class-outcome';
import { viewStaleness } from '../scoring/model-input';
import type { ScoredPrediction } from '../scoring/scored-prediction.types';
import { readNumber, type FallbackRule } from './fallback.types';

/** The version and alias a fallback prediction records. */
export const FALLBACK_ALIAS = 'fallback';
export const FALLBACK_VERSION = 0;

export interface FallbackOptions {
  /** Why the fallback answered (e.g. "no champion", "model failed: …"). */
  readonly reason?: string;
  /** Overrides the model's risk defaults, as for a model's prediction. */
  readonly risk?: RiskOptions;
}

/**
 * The rule's answer as a prediction's fields: the same score, label, class probabilities and risk
 * mapping as a model's, the features it read as inputs, no factors, `fallback: true`, version 0 and
 * alias "fallback".
 */
export function fallbackPrediction(
  rule: FallbackRule,
  values: FeatureValues,
  trigger: TriggerContext,
  options: FallbackOptions = {},
): ScoredPrediction {
  const probabilities = rule.probabilities(values, trigger);
  const outcome = classOutcome(rule.task, rule.classes, rule.task === 'binary' ? [probabilities[1]] : probabilities, 0);
  const risk = riskOptionsFor(rule.model, options.risk);
  const tierRule = riskTierRule(rule.task);
  tierRule.validate(rule.classes, risk);
  const assessment = tierRule.assess(rule.classes, outcome.probabilities, risk);
  return {
    modelVersion: FALLBACK_VERSION,
    alias: FALLBACK_ALIAS,
    score: outcome.score,
    label: outcome.label,
    classProbabilities: outcome.classProbabilities,
    riskTier: assessment.tier,
    riskConfidence: assessment.confidence,
    topFactors: [],
    inputs: rule.reads.map((name) => ({
      name,
      value: readNumber(values, name),
      stalenessMs: viewStaleness(values, name.slice(0, name.indexOf('.'))),
    })),
    fallback: true,
    ...(options.reason !== undefined ? { fallbackReason: options.reason } : {}),
  };
}

/** For a classifier without a rule of its own: every class equally likely, whatever the features. */
export function priorFallback(spec: ModelSpec): FallbackRule {
  if (spec.task !== 'binary' && spec.task !== 'multiclass')
    throw new RangeError(`spec.task "${spec.task}" has no prior fallback: it needs classes`);
  const K = spec.classes.length;
  const uniform = Object.freeze(new Array<number>(K).fill(1 / K));
  return {
    model: spec.name,
    task: spec.task,
    classes: spec.classes,
    description: `every class equally likely (1/${K})`,
    reads: [],
    probabilities: () => uniform,
  };
}
