import { defineAggregation } from './aggregation.types';
import { decimalsOption, momentsSum, momentsAccumulator, type MomentsConfig } from './moments.accumulator';

/** The sum of the values, exact at the feature's precision. Empty: 0. */
export const sum = defineAggregation({
  name: 'sum',
  field: 'numeric',
  options: { decimals: decimalsOption },
  accumulator: momentsAccumulator,
  windowed: true,
  asOf: 'tiles',
  valueType: () => 'number',
  value: (found, p, o, f): number => (found ? momentsSum(p, o, (f.acc!.config as MomentsConfig).scale) : 0),
});
