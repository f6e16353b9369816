import { buildReferenceProfile, DriftWindow, windowDrift, type ReferenceProfile } from '@pulse/drift';
import { createDataset, predict, type GbdtModel } from '@pulse/gbdt';
import type { ModelSpec } from '@pulse/models';
import type { ExampleSet } from '../examples/example-set';

/** Rows a reference profile is built from at most: deciles are stable long before this. */
export const REFERENCE_ROWS = 20_000;
// Scores are probabilities for classifiers: fixed twentieths, so every version's score bins compare.
const SCORE_EDGES = Array.from({ length: 21 }, (_, i) => i / 20);

/** Calibration chunks are UTC days, the size of monitoring's daily windows. */
export const CALIBRATION_WINDOW_MS = 86_400_000;
/** A day with fewer rows says too little about the spread of a window's PSI to count. */
export const CALIBRATION_MIN_ROWS = 50;
/** Fewer calibration days than this give no calibration (the spread of two numbers is no spread). */
export const CALIBRATION_MIN_CHUNKS = 3;

/** Mean and population standard deviation of one feature's PSI over the reference's daily windows. */
export interface PsiSpread {
  readonly mean: number;
  readonly std: number;
}

/**
 * How far the reference's own days stray from the whole reference (NannyML's way of setting drift
 * thresholds from the reference period): a live window of the same size is unusual only beyond
 * that spread. Weekday patterns and sampling noise of a day's few hundred rows show up here.
 */
export interface ReferenceCalibration {
  readonly windowMs: number;
  readonly chunks: number;
  /** By feature; the score's under `score`. */
  readonly psi: Readonly<Record<string, PsiSpread>>;
  readonly score: PsiSpread | null;
}

/**
 * What monitoring compares live predictions with: per input feature its distribution over the
 * newest rows the version was trained and evaluated on (decile bin edges with counts; missing values
 * counted apart), the model's score on the same rows, and the daily spread of both. JSON-serialisable;
 * stored with the version in the registry.
 */
export interface ModelReferenceProfile {
  readonly rows: number;
  /** Event time span of the reference rows. */
  readonly fromMs?: number;
  readonly untilMs?: number;
  readonly features: Readonly<Record<string, ReferenceProfile>>;
  readonly score: ReferenceProfile;
  readonly calibration?: ReferenceCalibration;
}

/**
 * The profile of `rows` — the caller passes the validation and test splits: the data nearest to
 * serving, and scores the model did not fit (its training rows' scores are overconfident) — evenly
 * thinned to REFERENCE_ROWS, with the daily PSI spread of all of them.
 */
export function buildModelReference(
  spec: ModelSpec,
  model: GbdtModel,
  examples: ExampleSet,
  rows: Int32Array,
): ModelReferenceProfile {
  if (rows.length === 0) throw new RangeError('rows must hold at least one reference row');
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
  const scores = scoreRows(model, examples, columns, picked.length);
  const score =
    spec.task === 'regression'
      ? buildReferenceProfile(scores, { kind: 'numeric' })
      : buildReferenceProfile(scores, { kind: 'numeric', edges: SCORE_EDGES });
  const times = Array.from(rows, (r) => examples.time(r));
  return {
    rows: picked.length,
    fromMs: Math.min(...times),
    untilMs: Math.max(...times) + 1,
    features,
    score,
    ...calibrationOf(model, examples, rows, features, score),
  };
}

// The score a prediction carries: P(positive) for a binary model, the most probable class's probability otherwise.
function scoreRows(model: GbdtModel, examples: ExampleSet, columns: Float32Array[], n: number): number[] {
  const raw = predict(model, createDataset({ columns, featureNames: [...examples.featureNames] }));
  const k = raw.length / n;
  return Array.from({ length: n }, (_, i) => {
    if (k === 1) return raw[i];
    let best = 0;
    for (let c = 0; c < k; c++) best = Math.max(best, raw[i * k + c]);
    return best;
  });
}

/** The PSI of each full UTC day of `rows` against the profiles, as mean and spread per feature. */
function calibrationOf(
  model: GbdtModel,
  examples: ExampleSet,
  rows: Int32Array,
  features: Readonly<Record<string, ReferenceProfile>>,
  score: ReferenceProfile,
): { calibration?: ReferenceCalibration } {
  const days = new Map<number, number[]>();
  for (const r of rows) {
    const day = Math.floor(examples.time(r) / CALIBRATION_WINDOW_MS);
    const list = days.get(day) ?? [];
    list.push(r);
    days.set(day, list);
  }
  const chunks = [...days.values()].filter((c) => c.length >= CALIBRATION_MIN_ROWS);
  if (chunks.length < CALIBRATION_MIN_CHUNKS) return {};
  const psis = new Map<string, number[]>();
  const add = (name: string, profile: ReferenceProfile, values: ArrayLike<number>) => {
    const w = new DriftWindow(profile).addAll(values);
    if (w.total === 0) return;
    const list = psis.get(name) ?? [];
    list.push(windowDrift(w).psi);
    psis.set(name, list);
  };
  for (const chunk of chunks) {
    const columns = examples.columns(Int32Array.from(chunk));
    examples.featureNames.forEach((name, j) => {
      if (features[name]) add(name, features[name], columns[j]);
    });
    add('\u0000score', score, scoreRows(model, examples, columns, chunk.length));
  }
  const spread = (xs: readonly number[] | undefined): PsiSpread | null => {
    if (!xs || xs.length < CALIBRATION_MIN_CHUNKS) return null;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
  };
  const psi: Record<string, PsiSpread> = {};
  for (const name of Object.keys(features)) {
    const s = spread(psis.get(name));
    if (s) psi[name] = s;
  }
  return {
    calibration: {
      windowMs: CALIBRATION_WINDOW_MS,
      chunks: chunks.length,
      psi,
      score: spread(psis.get('\u0000score')),
    },
  };
}
