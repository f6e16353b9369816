import { defineAccumulator, defineAggregation } from './aggregation.types';

/** [n, t, v]: the largest value (order-free). */
const maxAccumulator = defineAccumulator<null>({
  kind: 'max',
  reads: 'number',
  config: () => null,
  width: () => 3,
  update(_acc, a, o, n, _t, _id, v) {
    if (n === 0 || (v as number) > (a[o + 2] as number)) a[o + 2] = v;
    return true;
  },
  start(_acc, a, p, _base, out) {
    out[2] = a[p + 2];
  },
  merge(_acc, a, p, _base, _t, _newest, out) {
    if ((a[p + 2] as number) > (out[2] as number)) out[2] = a[p + 2];
  },
});

/** The largest value. Empty: null. */
export const max = defineAggregation({
  name: 'max',
  field: 'numeric',
  options: {},
  accumulator: maxAccumulator,
  windowed: true,
  asOf: 'tiles',
  valueType: () => 'number',
  value: (found, p, o): number | null => (found ? (p[o + 2] as number) : null),
});
