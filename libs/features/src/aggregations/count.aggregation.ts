import { defineAggregation } from './aggregation.types';
import { countAccumulator } from './count.accumulator';

/** The number of events (with `of`: of events having the field). Empty: 0. */
export const count = defineAggregation({
  name: 'count',
  field: 'optional',
  options: {},
  accumulator: countAccumulator,
  windowed: true,
  asOf: 'tiles',
  valueType: () => 'number',
  value: (found, p, o): number => (found ? (p[o] as number) : 0),
});
