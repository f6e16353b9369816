import { defineAggregation } from './aggregation.types';
import { countAccumulator } from './count.accumulator';

/** The as-of time minus the newest event's time (ms). Empty: null. Shares the count's accumulator. */
export const timeSinceLast = defineAggregation({
  name: 'timeSinceLast',
  field: 'optional',
  options: {},
  accumulator: countAccumulator,
  windowed: true,
  // T minus the newest time: it moves one for one with the as-of time.
  asOf: 'shift',
  valueType: () => 'number',
  value: (found, p, o, _f, asOf): number | null => (found ? asOf - (p[o + 1] as number) : null),
});
