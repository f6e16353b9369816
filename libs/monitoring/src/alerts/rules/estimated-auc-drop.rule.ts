import type { AlertRule } from '../alert.types';

/** The confidence-based AUC estimate (labels not yet matured) below the training AUC by more than the drop ratio. */
export const estimatedAucDropRule: AlertRule = {
  name: 'estimated_auc_drop',
  kind: 'quality',
  judges: 'newest',
  description: 'estimated AUC (CBPE, before labels mature) below the training AUC by more than 10 %',
  observe(w, o) {
    if (w.estimatedAuc === null || w.trainingAuc === null || w.predictions < o.minPredictions) return null;
    const threshold = w.trainingAuc * (1 - o.aucDropRatio);
    const band = w.trainingAuc * o.aucDropRatio * o.hysteresis;
    return {
      rule: this.name,
      kind: this.kind,
      model: w.model,
      key: `${w.model}/${w.windowMs}`,
      value: w.estimatedAuc,
      threshold,
      firing: w.estimatedAuc < threshold,
      clear: w.estimatedAuc >= threshold + band,
      message: `${w.model} v${w.version}: estimated AUC ${w.estimatedAuc.toFixed(3)} over ${w.predictions} predictions, training AUC ${w.trainingAuc.toFixed(3)}`,
    };
  },
};
