import type { AlertRule } from '../alert.types';

/** Realised AUC (matured labels) below the training AUC by more than the drop ratio (the seeds' 10 %). */
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
    return {
      rule: this.name,
      kind: this.kind,
      model: w.model,
      key: `${w.model}/${w.windowMs}`,
      value: q.auc,
      threshold,
      firing: q.auc < threshold,
      clear: q.auc >= threshold + band,
      message: `${w.model} v${w.version}: realised AUC ${q.auc.toFixed(3)} over ${q.n} labelled predictions, training AUC ${w.trainingAuc.toFixed(3)}`,
    };
  },
};
