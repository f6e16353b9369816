import type { DerivedAggregation } from './aggregation.types';

/** numerator / denominator (two numeric features of the view); null when either is null or the denominator 0. */
export const ratio: DerivedAggregation<'ratio', number | null> = {
  name: 'ratio',
  derived: true,
  operands: ['numerator', 'denominator'],
  combine(values) {
    const num = values[0] as number | null;
    const den = values[1] as number | null;
    return num === null || den === null || den === 0 ? null : num / den;
  },
};
