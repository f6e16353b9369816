import { buildReferenceProfile, type ReferenceProfile } from '@pulse/drift';
import { createDataset, predict, type GbdtModel } from '@pulse/gbdt';
import type { ModelSpec } from '@pulse/models';
import type { ExampleSet } from '../examples/example-set';

/** Rows a reference profile is built from at most: deciles are stable long before this. */
export const REFERENCE_ROWS = 20_000;
// Scores are probabilities for classifiers: fixed twentieths, so every version's score bins compare.
const SCORE_EDGES = Array.from({ length: 21 }, (_, i) => i / 20);

/**
 * What monitoring compares live predictions with: per input feature its training distribution
 * (decile bin edges with counts; missing values counted apart), and the model's score on the same
 * rows. JSON-serialisable; stored with the version in the registry.
 */
export interface ModelReferenceProfile {
  readonly rows: number;
  readonly features: Readonly<Record<string, ReferenceProfile>>;
  readonly score: ReferenceProfile;
}

/** The profile of `rows` (the training split), evenly thinned to REFERENCE_ROWS. */
export function buildModelReference(
  spec: ModelSpec,
  model: GbdtModel,
  examples: ExampleSet,
  rows: Int32Array,
): ModelReferenceProfile {
  if (rows.length === 0) throw new RangeError('rows must hold at least one training row');
  const stride = Math.max(1, Math.ceil(rows.length / REFERENCE_ROWS));
  const picked = Int32Array.from({ length: Math.ceil(rows.length / stride) }, (_, i) => rows[i * stride]);
  const columns = examples.columns(picked);
  const features: Record<string, ReferenceProfile> = {};
  examples.featureNames.forEach((name, j) => {
    const values = columns[j];
    // A feature without a single value in training has no distribution to drift from.
    if (values.every((v) => Number.isNaN(v))) return;
    features[name] = buildReferenceProfile(values, { kind: 'numeric' });
  });
  const data = createDataset({ columns, featureNames: [...examples.featureNames] });
  const raw = predict(model, data);
  const k = raw.length / picked.length;
  // The score a prediction carries: P(positive) for a binary model, the most probable class's probability otherwise.
  const scores = Array.from({ length: picked.length }, (_, i) => {
    if (k === 1) return raw[i];
    let best = 0;
    for (let c = 0; c < k; c++) best = Math.max(best, raw[i * k + c]);
    return best;
  });
  const score =
    spec.task === 'regression'
      ? buildReferenceProfile(scores, { kind: 'numeric' })
      : buildReferenceProfile(scores, { kind: 'numeric', edges: SCORE_EDGES });
  return { rows: picked.length, features, score };
}
