import { defineAccumulator, defineAggregation } from './aggregation.types';
import { fieldValueType } from './value-type';

/** [n, t, ft, fid, fv]: the value of the first event by (time, id), and that event's time and id. */
const firstAccumulator = defineAccumulator<null>({
  kind: 'first',
  reads: 'key',
  config: () => null,
  width: () => 5,
  update(_acc, a, o, n, t, id, v) {
    if (n === 0 || t < (a[o + 2] as number) || (t === a[o + 2] && id < (a[o + 3] as string))) {
      a[o + 2] = t;
      a[o + 3] = id;
      a[o + 4] = v;
    }
    return true;
  },
  start(_acc, a, p, base, out) {
    out[2] = (a[p + 2] as number) + base;
    out[3] = a[p + 3];
    out[4] = a[p + 4];
  },
  merge(_acc, a, p, base, _t, _newest, out) {
    const ft = (a[p + 2] as number) + base;
    if (ft < (out[2] as number) || (ft === out[2] && (a[p + 3] as string) < (out[3] as string))) {
      out[2] = ft;
      out[3] = a[p + 3];
      out[4] = a[p + 4];
    }
  },
});

/** The value of the first event by (event time, event id). Empty: null. */
export const first = defineAggregation({
  name: 'first',
  field: 'any',
  options: {},
  accumulator: firstAccumulator,
  windowed: true,
  asOf: 'tiles',
  valueType: fieldValueType,
  value: (found, p, o): string | number | null => (found ? (p[o + 4] as string | number) : null),
});
