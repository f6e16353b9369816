import { inRange } from '../bucketing/variation-range';
import type { Attributes } from '../conditions/condition.types';
import type { ExperimentFilter } from '../definition/experiment.types';
import { hash } from '../hashing/growthbook-hash';
import { hashAttributeOf } from './hash-attribute';

/** Whether any filter leaves the unit out: its attribute is missing, or its hash is in none of the ranges. */
export function isFilteredOut(filters: readonly ExperimentFilter[], attributes: Attributes): boolean {
  return filters.some((filter) => {
    const { hashValue } = hashAttributeOf(attributes, filter.attribute);
    if (!hashValue) return true;
    const n = hash(filter.seed, String(hashValue), filter.hashVersion || 2);
    if (n === null) return true;
    return !filter.ranges.some((r) => inRange(n, r));
  });
}
