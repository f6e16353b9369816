import type { AlertRule } from '../alert.types';

/** The largest fairness gap (demographic parity or equalized odds, any attribute) over the gate's maximum. */
export const fairnessGapRule: AlertRule = {
  name: 'fairness_gap',
  kind: 'quality',
  judges: 'labelled',
  description: 'a fairness gap (demographic parity or equalized odds difference) over the gate’s maximum',
  observe(w, o) {
    const q = w.quality;
    if (q === null || q.n < o.minLabelledRows || q.fairness.length === 0) return null;
    const max = w.fairnessMax ?? o.fairnessMax;
    let value = 0;
    let worst = '';
    for (const f of q.fairness)
      for (const [name, gap] of [
        ['demographic parity', f.demographicParityDifference],
        ['equalized odds', f.equalizedOddsDifference],
      ] as const)
        if (gap !== null && gap > value) {
          value = gap;
          worst = `${name} over ${f.attribute}`;
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
