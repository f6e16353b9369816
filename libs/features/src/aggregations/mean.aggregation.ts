import { defineAggregation } from './aggregation.types';
import { decimalsOption, momentsMean, momentsAccumulator, type MomentsConfig } from './moments.accumulator';

/** The mean of the values, exact at the feature's precision. Empty: null. */
export const mean = defineAggregation({
  name: 'mean',
  field: 'numeric',
  options: { decimals: decimalsOption },
  accumulator: momentsAccumulator,
  windowed: true,
  asOf: 'tiles',
  valueType: () => 'number',
  value: (found, p, o, f): number | null => (found ? momentsMean(p, o, (f.acc!.config as MomentsConfig).scale) : null),
});
