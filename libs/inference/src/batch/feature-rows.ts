import type { AnsweredView, ColumnarRead, FeatureValues, ViewColumns, ViewValues } from '@pulse/features';
import type { CompiledModelSpec } from '@pulse/models';

/** The model's views that are read at one as-of offset from the scoring time. */
export interface ViewGroup {
  readonly offsetMs: number;
  readonly views: readonly string[];
}

const groups = new WeakMap<CompiledModelSpec, readonly ViewGroup[]>();

/**
 * The spec's views grouped by as-of offset, the trigger's own time first (its watermark is the row's),
 * as the training-set builder evaluates them and the service reads them.
 */
export function viewGroups(compiled: CompiledModelSpec): readonly ViewGroup[] {
  let out = groups.get(compiled);
  if (out === undefined) {
    const byOffset = new Map<number, string[]>();
    for (const v of compiled.views) byOffset.set(v.asOfOffsetMs, [...(byOffset.get(v.asOfOffsetMs) ?? []), v.name]);
    out = [...byOffset]
      .sort((a, b) => (a[0] === 0 ? -1 : b[0] === 0 ? 1 : a[0] - b[0]))
      .map(([offsetMs, views]) => ({ offsetMs, views }));
    groups.set(compiled, out);
  }
  return out;
}

/**
 * Entity i's views of the reads, keyed by view and feature name: what FeatureReader.read gives for
 * the entity, without the rest of its answer. Columns evaluated at another time of the same epoch
 * are moved to the read's time (freshness, and the time-since features, shift with it).
 */
export function entityValues(reads: readonly ColumnarRead[], i: number): FeatureValues {
  const values: FeatureValues = {};
  for (const r of reads) {
    const width = r.views.length;
    for (let j = 0; j < width; j++) values[r.views[j].name] = keyed(r.columns[i * width + j], r.views[j], r.atMs);
  }
  return values;
}

function keyed(c: ViewColumns, view: AnsweredView, atMs: number): ViewValues {
  const d = atMs - c.asOf;
  if (d === 0) return { version: c.version, values: view.record(c.values), freshness: view.record(c.freshness) };
  const values = c.values.slice();
  for (const k of c.shifted) values[k] = values[k] === null ? null : (values[k] as number) + d;
  const freshness = c.freshness.map((f) => (f === null ? null : f + d));
  return { version: c.version, values: view.record(values), freshness: view.record(freshness) };
}
