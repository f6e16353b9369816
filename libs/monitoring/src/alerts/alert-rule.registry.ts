import type { AlertRule } from './alert.types';
import { aucDropRule } from './rules/auc-drop.rule';
import { estimatedAucDropRule } from './rules/estimated-auc-drop.rule';
import { fairnessGapRule } from './rules/fairness-gap.rule';
import { fallbackRateRule } from './rules/fallback-rate.rule';
import { featureDriftRule } from './rules/feature-drift.rule';

/** Every window rule monitoring-service evaluates; a new rule is a file in rules/ and a line here. */
export const ALERT_RULES: readonly AlertRule[] = [
  featureDriftRule,
  aucDropRule,
  estimatedAucDropRule,
  fairnessGapRule,
  fallbackRateRule,
];
