import type { AlertRule } from '../alert.types';

/** Too many predictions answered by the rule-based fallback (no servable model, or it failed). */
export const fallbackRateRule: AlertRule = {
  name: 'fallback_rate',
  kind: 'operational',
  judges: 'newest',
  description: 'the share of fallback predictions over MONITORING_FALLBACK_SHARE_MAX',
  observe(w, o) {
    if (w.fallbackShare === null || w.predictions < o.minPredictions) return null;
    return {
      rule: this.name,
      kind: this.kind,
      model: w.model,
      key: `${w.model}/${w.windowMs}`,
      value: w.fallbackShare,
      threshold: o.fallbackShareMax,
      firing: w.fallbackShare > o.fallbackShareMax,
      clear: w.fallbackShare <= o.fallbackShareMax * (1 - o.hysteresis),
      message: `${w.model}: ${(100 * w.fallbackShare).toFixed(1)} % of predictions came from the fallback`,
    };
  },
};
