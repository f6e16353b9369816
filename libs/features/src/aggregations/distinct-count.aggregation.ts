import { keyCounts } from '../engine/partials';
import { defineAggregation } from './aggregation.types';
import { bagAccumulator, bagOf, bagSize } from './bag.accumulator';

/** The number of distinct values. Empty: 0. */
export const distinctCount = defineAggregation({
  name: 'distinctCount',
  field: 'any',
  options: {},
  accumulator: bagAccumulator,
  windowed: true,
  asOf: 'tiles',
  tileKeyed: true,
  valueType: () => 'number',
  value(found, p, o, f): number {
    if (!found) return 0;
    return f.tileKey !== null ? keyCounts.size : bagSize(bagOf(p, o));
  },
});
