import { defineAccumulator, defineAggregation } from './aggregation.types';

/** [n, t, v]: the smallest value (order-free). */
const minAccumulator = defineAccumulator<null>({
  kind: 'min',
  reads: 'number',
  config: () => null,
  width: () => 3,
  update(_acc, a, o, n, _t, _id, v) {
    if (n === 0 || (v as number) < (a[o + 2] as number)) a[o + 2] = v;
    return true;
  },
  start(_acc, a, p, _base, out) {
    out[2] = a[p + 2];
  },
  merge(_acc, a, p, _base, _t, _newest, out) {
    if ((a[p + 2] as number) < (out[2] as number)) out[2] = a[p + 2];
  },
});

/** The smallest value. Empty: null. */
export const min = defineAggregation({
  name: 'min',
  field: 'numeric',
  options: {},
  accumulator: minAccumulator,
  windowed: true,
  asOf: 'tiles',
  valueType: () => 'number',
  value: (found, p, o): number | null => (found ? (p[o + 2] as number) : null),
});
