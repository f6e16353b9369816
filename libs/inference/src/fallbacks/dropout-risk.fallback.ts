import { readNumber, type FallbackRule } from './fallback.types';

const CLASSES = ['low', 'medium', 'high'] as const;
const NOW = 'learner_activity.own_active_days_14d';
const BEFORE = 'learner_activity.own_active_days_prev_14d';
const TREND = 'learner_activity.own_activity_trend_14d';

/** The label's cut-offs on next / previous active days, applied to the last 14 days against the 14 before. */
export const DROPOUT_FALLBACK_CUTS = Object.freeze({ highAtMost: 0.3, lowAtLeast: 0.7 });
/** Probability the rule gives the class it picks (the rest split evenly): it is a guess, not a calibrated model. */
export const DROPOUT_FALLBACK_SHARE = 0.6;
/** Without any activity data: low / medium / high. */
export const DROPOUT_FALLBACK_PRIOR: readonly number[] = Object.freeze([0.3, 0.4, 0.3]);

/**
 * dropout_risk: the label's rule on the recent past, assuming the trend goes on. The trend is the
 * learner's own active days in the last 14 days over the 14 before (own_activity_trend_14d): high at
 * most 0.3, low at least 0.7, medium between. No active day in the 14 before: low when active since,
 * high when not; no activity data at all: the prior.
 */
export const dropoutRiskFallback: FallbackRule = {
  model: 'dropout_risk',
  task: 'multiclass',
  classes: CLASSES,
  description: "the label's rule on the last 14 days' active days against the 14 before: high ≤ 0.3, low ≥ 0.7",
  reads: [TREND, NOW, BEFORE],
  probabilities(values) {
    const now = readNumber(values, NOW);
    const before = readNumber(values, BEFORE);
    let trend = readNumber(values, TREND);
    if (!Number.isFinite(trend)) {
      if (!Number.isFinite(now) && !Number.isFinite(before)) return DROPOUT_FALLBACK_PRIOR;
      if (before > 0) trend = (Number.isFinite(now) ? now : 0) / before;
      else trend = now > 0 ? Infinity : 0;
    }
    const picked = trend <= DROPOUT_FALLBACK_CUTS.highAtMost ? 2 : trend >= DROPOUT_FALLBACK_CUTS.lowAtLeast ? 0 : 1;
    const rest = (1 - DROPOUT_FALLBACK_SHARE) / (CLASSES.length - 1);
    return CLASSES.map((_, k) => (k === picked ? DROPOUT_FALLBACK_SHARE : rest));
  },
};
