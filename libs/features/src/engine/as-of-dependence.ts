import { planOf } from '../definition/feature-view.builder';
import type { FeatureView } from '../definition/feature-view.types';
import type { AsOfDependence } from '../aggregations/aggregation.types';

/**
 * How the feature's value depends on the as-of time T for a given state (see AsOfDependence): `tiles`
 * (the same for every T with the same tile indices, e.g. every T of a 5-minute epoch), `shift` (T minus
 * a time of the state: moves one for one with T, e.g. timeSinceLast), or `time`. A derived feature
 * (ratio) is `tiles` when all its operands are, else `time`. For caches of evaluated values.
 */
export function asOfDependence(view: FeatureView, feature: string): AsOfDependence {
  const f = planOf(view).features.find((x) => x.name === feature);
  if (f === undefined) throw new RangeError(`feature view "${view.name}" has no feature "${feature}"`);
  return f.asOf;
}

/** Whether the feature's value depends on the as-of time only through the windows' tile indices. */
export function isTileInvariant(view: FeatureView, feature: string): boolean {
  return asOfDependence(view, feature) === 'tiles';
}
