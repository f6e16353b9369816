import type { AlertRule } from '../alert.types';

/** One-sided 95 % normal quantile: the window's AUC must be low beyond its sampling noise. */
const Z_95 = 1.6448536269514722;

/**
 * Realised AUC (matured labels) below the training AUC by more than the drop ratio (the seeds' 10 %),
 * beyond sampling noise: even the AUC plus 1.645 standard errors (Hanley & McNeil) is under the
 * threshold — a day of a few hundred labels varies by ±0.03 on its own.
 */
export const aucDropRule: AlertRule = {
  name: 'auc_drop',
  kind: 'quality',
  judges: 'labelled',
  description: 'realised AUC below the serving version’s training AUC by more than 10 %',
  observe(w, o) {
    const q = w.quality;
    if (q === null || q.auc === null || w.trainingAuc === null || q.n < o.minLabelledRows) return null;
    const threshold = w.trainingAuc * (1 - o.aucDropRatio);
    const band = w.trainingAuc * o.aucDropRatio * o.hysteresis;
    const upper = q.auc + Z_95 * (q.aucStandardError ?? 0);
    return {
      rule: this.name,
      kind: this.kind,
      model: w.model,
      key: `${w.model}/${w.windowMs}`,
      value: q.auc,
      threshold,
      firing: upper < threshold,
      clear: q.auc >= threshold + band,
      message: `${w.model} v${w.version}: realised AUC ${q.auc.toFixed(3)} (±${(q.aucStandardError ?? 0).toFixed(3)}) over ${q.n} labelled predictions, training AUC ${w.trainingAuc.toFixed(3)}`,
    };
  },
};
