import type { AlertRule } from '../alert.types';

/**
 * The largest fairness gap (demographic parity or equalized odds, any attribute) over the gate's
 * maximum — beyond sampling noise when the window could measure it, as the training gate judges: a
 * day of a few hundred rows shows gaps of 0.2–0.3 between small groups by chance alone.
 */
export const fairnessGapRule: AlertRule = {
  name: 'fairness_gap',
  kind: 'fairness',
  judges: 'labelled',
  description: 'a fairness gap (demographic parity or equalized odds difference) over the gate’s maximum',
  observe(w, o) {
    const q = w.quality;
    if (q === null || q.n < o.minLabelledRows || q.fairness.length === 0) return null;
    const max = w.fairnessMax ?? o.fairnessMax;
    let value = 0;
    let worst = '';
    for (const f of q.fairness)
      for (const [name, raw, lower] of [
        ['demographic parity', f.demographicParityDifference, f.demographicParityLowerBound],
        ['equalized odds', f.equalizedOddsDifference, f.equalizedOddsLowerBound],
      ] as const) {
        const gap = lower ?? raw;
        if (gap !== null && gap !== undefined && gap > value) {
          value = gap;
          worst = `${name} over ${f.attribute}${lower === undefined ? '' : ` (${raw?.toFixed(3)} measured, beyond noise)`}`;
        }
      }
    return {
      rule: this.name,
      kind: this.kind,
      model: w.model,
      key: `${w.model}/${w.windowMs}`,
      value,
      threshold: max,
      firing: value > max,
      clear: value <= max * (1 - o.hysteresis),
      message: `${w.model} v${w.version}: ${worst || 'fairness'} gap ${value.toFixed(3)} (max ${max})`,
    };
  },
};
