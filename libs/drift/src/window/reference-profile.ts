// A feature's reference distribution as a streaming monitor keeps it: fixed bin edges with the
// reference's counts (numeric) or its category counts, plus what the window metrics need (size,
// population std). Small, JSON-serialisable, built once from the training data.
import { histogramCounts, linspace } from '../binning/numpy-histogram';
import { assertInteger } from '../guards';
import { numpyMean, numpyStd } from '../stats/moments';
import { assertNotEmpty, categoryLabel, cleanCategorical, cleanNumeric } from '../values';
import { numpyQuantile } from './quantile';

export type Binning = 'quantile' | 'equal-width' | 'fixed';

export interface NumericProfile {
  kind: 'numeric';
  /** Increasing bin edges; bin i holds edges[i] <= v < edges[i+1], the last bin also its upper edge. */
  edges: number[];
  counts: number[];
  /** Reference values counted (missing ones excluded). */
  total: number;
  missing: number;
  mean: number;
  /** Population std of the reference values (np.std), the Wasserstein norm. */
  std: number;
  binning: Binning;
  /** Identifies the bins, so that only windows of the same profile merge. */
  key: string;
}

export interface CategoricalProfile {
  kind: 'categorical';
  categories: string[];
  counts: number[];
  total: number;
  missing: number;
  key: string;
}

export type ReferenceProfile = NumericProfile | CategoricalProfile;

export interface ProfileOptions {
  /** Default: numeric when every value is a number (or missing), categorical otherwise. */
  kind?: 'numeric' | 'categorical';
  /** Bins for a numeric feature (default 10); quantile edges that coincide (ties) are merged. */
  bins?: number;
  /**
   * 'quantile' (default): edges at the reference's quantiles i/bins (np.quantile, linear), so each
   * bin holds about the same share of the reference — PSI's usual deciles; 'equal-width':
   * np.linspace(min, max, bins + 1). Either way a constant reference gets one bin [v − 0.5, v + 0.5].
   */
  binning?: Exclude<Binning, 'fixed'>;
  /** Given bin edges (finite, increasing) instead of computed ones; `bins` and `binning` are then ignored. */
  edges?: ArrayLike<number>;
}

export const DEFAULT_PROFILE_BINS = 10;

export function buildReferenceProfile(values: ArrayLike<unknown>, options: ProfileOptions = {}): ReferenceProfile {
  const { bins = DEFAULT_PROFILE_BINS, binning = 'quantile' } = options;
  assertInteger(bins, 'options.bins', 1, 10_000);
  if (binning !== 'quantile' && binning !== 'equal-width')
    throw new RangeError(`options.binning must be 'quantile' or 'equal-width', got ${String(binning)}`);
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number')
    throw new TypeError('values must be an array');
  const kind = options.kind ?? (isNumeric(values) ? 'numeric' : 'categorical');
  if (kind === 'categorical') {
    const cleaned = cleanCategorical(values, 'values');
    assertNotEmpty(cleaned.total, cleaned.missing, 'values');
    // a live value is matched by its text, so 1 and "1" are one category here
    const byLabel = new Map<string, number>();
    for (const [key, n] of cleaned.counts) byLabel.set(categoryLabel(key), (byLabel.get(categoryLabel(key)) ?? 0) + n);
    const categories = [...byLabel.keys()].sort();
    return {
      kind,
      categories,
      counts: categories.map((c) => byLabel.get(c) ?? 0),
      total: cleaned.total,
      missing: cleaned.missing,
      key: profileKey('categorical', categories),
    };
  }
  if (kind !== 'numeric') throw new RangeError(`options.kind must be 'numeric' or 'categorical', got ${String(kind)}`);
  const { sorted, missing } = cleanNumeric(values as ArrayLike<number>, 'values');
  assertNotEmpty(sorted.length, missing, 'values');
  const edges = options.edges === undefined ? binEdges(sorted, bins, binning) : fixedEdges(options.edges);
  return {
    kind,
    edges,
    counts: Array.from(histogramCounts(sorted, edges)),
    total: sorted.length,
    missing,
    mean: numpyMean(sorted),
    std: numpyStd(sorted),
    binning: options.edges === undefined ? binning : 'fixed',
    key: profileKey('numeric', edges),
  };
}

function isNumeric(values: ArrayLike<unknown>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && typeof v !== 'number') return false;
  }
  return true;
}

function binEdges(sorted: Float64Array, bins: number, binning: Binning): number[] {
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  if (min === max) return [min - 0.5, max + 0.5];
  if (binning === 'equal-width') return Array.from(linspace(min, max, bins + 1));
  const edges: number[] = [];
  for (let i = 0; i <= bins; i++) {
    const q = i === bins ? max : numpyQuantile(sorted, i / bins);
    if (edges.length === 0 || q > edges[edges.length - 1]) edges.push(q);
  }
  return edges;
}

function fixedEdges(edges: unknown): number[] {
  if (edges === null || typeof edges !== 'object' || typeof (edges as ArrayLike<number>).length !== 'number')
    throw new TypeError('options.edges must be an array of numbers');
  const out = Array.from(edges as ArrayLike<unknown>);
  if (out.length < 2) throw new RangeError(`options.edges must hold at least 2 edges, got ${out.length}`);
  out.forEach((e, i) => {
    if (typeof e !== 'number' || !Number.isFinite(e))
      throw new RangeError(`options.edges[${i}] must be a finite number`);
    if (i > 0 && !(e > (out[i - 1] as number)))
      throw new RangeError(`options.edges must increase: edges[${i}] = ${e} after ${String(out[i - 1])}`);
  });
  return out as number[];
}

/** FNV-1a (32-bit) of the kind and its bins, as 8 hex digits. */
function profileKey(kind: string, bins: ReadonlyArray<number | string>): string {
  const text = `${kind}:${JSON.stringify(bins)}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
