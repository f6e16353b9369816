/**
 * Feature importance with XGBoost's get_score definitions, over every split of every tree the
 * model's predictions use (all classes together):
 *   weight      number of splits on the feature
 *   total_gain  sum of the loss reductions of those splits;  gain  = total_gain / weight
 *   total_cover sum of the covers (hessian sums) of those split nodes;  cover = total_cover / weight
 * As in XGBoost, features never split on are left out unless options.includeUnused is set (then 0).
 */
import type { GbdtModel } from '../model/model.types';

export type ImportanceType = 'weight' | 'gain' | 'total_gain' | 'cover' | 'total_cover';

export const IMPORTANCE_TYPES: readonly ImportanceType[] = ['weight', 'gain', 'total_gain', 'cover', 'total_cover'];

export interface FeatureImportanceOptions {
  /** List features with no split, with value 0. Default false (XGBoost's get_score leaves them out). */
  includeUnused?: boolean;
}

export function featureImportance(
  model: GbdtModel,
  type: ImportanceType = 'weight',
  options: FeatureImportanceOptions = {},
): Record<string, number> {
  if (!IMPORTANCE_TYPES.includes(type)) {
    throw new RangeError(`importance type must be one of ${IMPORTANCE_TYPES.join(', ')}, got "${String(type)}"`);
  }
  if (model === null || typeof model !== 'object' || !Array.isArray(model.trees))
    throw new TypeError('model must be a GbdtModel');
  const F = model.featureNames.length;
  const count = new Float64Array(F);
  const gain = new Float64Array(F);
  const cover = new Float64Array(F);
  const perRound = model.objective === 'multi:softprob' ? model.numClass : 1;
  const nTrees = Math.min(model.trees.length, model.numRounds * perRound);
  for (let t = 0; t < nTrees; t++) {
    const tree = model.trees[t];
    for (let n = 0; n < tree.feature.length; n++) {
      const f = tree.feature[n];
      if (f < 0) continue;
      if (f >= F) throw new RangeError(`tree ${t} node ${n}: feature ${f} is out of range (model has ${F} features)`);
      count[f] += 1;
      gain[f] += tree.gain[n];
      cover[f] += tree.cover[n];
    }
  }
  const out: Record<string, number> = {};
  for (let f = 0; f < F; f++) {
    if (count[f] === 0) {
      if (options.includeUnused) out[model.featureNames[f]] = 0;
      continue;
    }
    const value =
      type === 'weight'
        ? count[f]
        : type === 'total_gain'
          ? gain[f]
          : type === 'gain'
            ? gain[f] / count[f]
            : type === 'total_cover'
              ? cover[f]
              : cover[f] / count[f];
    out[model.featureNames[f]] = value;
  }
  return out;
}
