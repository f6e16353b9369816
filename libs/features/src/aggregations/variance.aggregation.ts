import { defineAggregation } from './aggregation.types';
import { decimalsOption, momentsVariance, momentsAccumulator, type MomentsConfig } from './moments.accumulator';

/** The population variance of the values, from exact moments. Empty: null. */
export const variance = defineAggregation({
  name: 'variance',
  field: 'numeric',
  options: { decimals: decimalsOption },
  accumulator: momentsAccumulator,
  windowed: true,
  asOf: 'tiles',
  // Needs the sum of squares.
  use: (acc) => void (acc.extended = true),
  valueType: () => 'number',
  value: (found, p, o, f): number | null =>
    found ? momentsVariance(p, o, (f.acc!.config as MomentsConfig).scale) : null,
});
