import { DefinitionError } from '@pulse/core';
import type { FeatureValues } from '../definition/feature-view.types';
import type { FeatureRegistry } from '../engine/feature-registry';

export interface FeatureColumn {
  /** `view.feature`, or `view.feature=category` for a one-hot column. */
  readonly name: string;
  readonly view: string;
  readonly feature: string;
  /** Set for the one-hot columns of a string-valued feature. */
  readonly category?: string;
}

/**
 * The stable, ordered numeric columns of the registry's features (views in registration order,
 * features in declared order), or of the selected `view.feature` names. A string-valued feature becomes
 * one 0/1 column per declared category (it must declare `categories`); numbers stay as they are.
 */
export function featureColumns(registry: FeatureRegistry, select?: readonly string[]): FeatureColumn[] {
  const wanted = select ? new Set(select) : null;
  const columns: FeatureColumn[] = [];
  for (const view of registry.views) {
    for (const f of view.features) {
      const qualified = `${view.name}.${f.name}`;
      if (wanted && !wanted.has(qualified)) continue;
      wanted?.delete(qualified);
      if (view.valueTypes[f.name] === 'number') {
        columns.push({ name: qualified, view: view.name, feature: f.name });
      } else if (f.categories) {
        for (const c of f.categories)
          columns.push({ name: `${qualified}=${c}`, view: view.name, feature: f.name, category: c });
      } else {
        throw new DefinitionError(
          `feature ${qualified}`,
          'is string-valued without categories, so it has no numeric encoding',
        );
      }
    }
  }
  if (wanted && wanted.size > 0)
    throw new DefinitionError('feature columns', `unknown features: ${[...wanted].join(', ')}`);
  return columns;
}

/**
 * Values as numbers in column order: a missing value (null) is NaN, which tree learners treat as
 * missing; a one-hot column is 1 when the value is its category, else 0 (all 0 for null or an
 * undeclared value).
 */
export function toFeatureVector(values: FeatureValues, columns: readonly FeatureColumn[]): number[] {
  const out = new Array<number>(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i];
    const view = values[c.view];
    if (!view) throw new RangeError(`feature values lack view "${c.view}"`);
    const v = view.values[c.feature];
    if (c.category !== undefined) out[i] = v === c.category ? 1 : 0;
    else out[i] = typeof v === 'number' ? v : NaN;
  }
  return out;
}
