import type { AlertRule } from '../alert.types';

/**
 * Significant drift (drift-significance.ts) on at least N features (inputs and score) in a window;
 * clears once at most N/2 do.
 */
export const featureDriftRule: AlertRule = {
  name: 'feature_drift',
  kind: 'drift',
  judges: 'newest',
  description:
    "significant drift (PSI past 0.25 and past the reference days' spread) on at least MONITORING_DRIFT_MIN_FEATURES features",
  observe(w, o) {
    if (w.predictions < o.minPredictions) return null;
    const drifted = w.drift.filter((d) => d.significant ?? d.drifted);
    const value = drifted.length;
    const names = drifted
      .slice(0, 5)
      .map((d) => d.feature)
      .join(', ');
    return {
      rule: this.name,
      kind: this.kind,
      model: w.model,
      key: `${w.model}/${w.windowMs}`,
      value,
      threshold: o.driftMinFeatures,
      firing: value >= o.driftMinFeatures,
      clear: value <= Math.floor(o.driftMinFeatures / 2),
      message: `${value} of ${w.drift.length} features drifted in ${w.model} v${w.version}${names ? ` (${names}${drifted.length > 5 ? ', …' : ''})` : ''}`,
    };
  },
};
