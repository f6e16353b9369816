import { DefinitionError } from '@pulse/core';
import type { FeatureDefinition, FeatureValues, FeatureView } from '../definition/feature-view.types';
import type { TopKEntry } from '../aggregations/top-k.aggregation';
import type { FeatureRegistry } from '../engine/feature-registry';

export interface FeatureColumn {
  /** `view.feature`, `view.feature=category` for a category's column, `view.feature[bucket]` for a histogram bucket's. */
  readonly name: string;
  readonly view: string;
  readonly feature: string;
  /** Set for the columns of a category: of a string-valued feature (one-hot) or of a topK ranking (its count). */
  readonly category?: string;
  /** Set for the columns of a histogram: the bucket's index. */
  readonly bucket?: number;
}

/**
 * The stable, ordered numeric columns of the registry's features (views in registration order,
 * features in declared order), or of the selected `view.feature` names. Numbers stay as they are; a
 * string-valued feature becomes one 0/1 column per declared category (it must declare `categories`);
 * a histogram one column per bucket (`[<e0]`, `[e0,e1)`, …, `[>=em]`: its count); a topK ranking one
 * column per declared category (it must declare `categories`): the category's count in the ranking.
 */
export function featureColumns(registry: FeatureRegistry, select?: readonly string[]): FeatureColumn[] {
  const wanted = select ? new Set(select) : null;
  const columns: FeatureColumn[] = [];
  for (const view of registry.views) {
    for (const f of view.features) {
      const qualified = `${view.name}.${f.name}`;
      if (wanted && !wanted.has(qualified)) continue;
      wanted?.delete(qualified);
      columns.push(...columnsOf(view, f, qualified));
    }
  }
  if (wanted && wanted.size > 0)
    throw new DefinitionError('feature columns', `unknown features: ${[...wanted].join(', ')}`);
  return columns;
}

function columnsOf(view: FeatureView, f: FeatureDefinition, qualified: string): FeatureColumn[] {
  const at = { view: view.name, feature: f.name };
  switch (view.valueTypes[f.name]) {
    case 'number':
      return [{ name: qualified, ...at }];
    case 'counts':
      return bucketLabels(f.edges ?? []).map((label, bucket) => ({ name: `${qualified}${label}`, ...at, bucket }));
    case 'string':
    case 'ranking':
      if (f.categories) return f.categories.map((c) => ({ name: `${qualified}=${c}`, ...at, category: c }));
      throw new DefinitionError(
        `feature ${qualified}`,
        view.valueTypes[f.name] === 'string'
          ? 'is string-valued without categories, so it has no numeric encoding'
          : 'is a topK ranking without categories, so it has no numeric encoding (declare the categories to count)',
      );
  }
}

function bucketLabels(edges: readonly number[]): string[] {
  const labels = [`[<${edges[0]}]`];
  for (let i = 1; i < edges.length; i++) labels.push(`[${edges[i - 1]},${edges[i]})`);
  labels.push(`[>=${edges[edges.length - 1]}]`);
  return labels;
}

/**
 * Values as numbers in column order: a missing value (null) is NaN, which tree learners treat as
 * missing; a one-hot column is 1 when the value is its category, else 0 (all 0 for null or an
 * undeclared value); a topK category column is the category's count in the ranking (0 when it is not
 * in it); a histogram bucket column its count.
 */
export function toFeatureVector(values: FeatureValues, columns: readonly FeatureColumn[]): number[] {
  const out = new Array<number>(columns.length);
  writeFeatureVector(values, columns, out, 0);
  return out;
}

/** toFeatureVector into `out` from `offset`: no array per row for callers that build millions of them. */
export function writeFeatureVector(
  values: FeatureValues,
  columns: readonly FeatureColumn[],
  out: { [i: number]: number },
  offset: number,
): void {
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i];
    const view = values[c.view];
    if (!view) throw new RangeError(`feature values lack view "${c.view}"`);
    const v = view.values[c.feature];
    let x: number;
    if (c.bucket !== undefined) x = Array.isArray(v) ? (v[c.bucket] as number) : NaN;
    else if (c.category === undefined) x = typeof v === 'number' ? v : NaN;
    else if (Array.isArray(v)) x = (v as readonly TopKEntry[]).find((e) => e.value === c.category)?.count ?? 0;
    else x = v === c.category ? 1 : 0;
    out[offset + i] = x;
  }
}
