import { defineAccumulator, defineAggregation } from './aggregation.types';
import { fieldValueType } from './value-type';

/** [n, t, lid, lv]: the value of the last event by (time, id) and its id; its time is the partial's newest, t. */
const lastAccumulator = defineAccumulator<null>({
  kind: 'last',
  reads: 'key',
  config: () => null,
  width: () => 4,
  update(_acc, a, o, n, t, id, v) {
    // Compared with the newest time before the engine updates it.
    if (n === 0 || t > (a[o + 1] as number) || (t === a[o + 1] && id > (a[o + 2] as string))) {
      a[o + 2] = id;
      a[o + 3] = v;
    }
    return true;
  },
  start(_acc, a, p, _base, out) {
    out[2] = a[p + 2];
    out[3] = a[p + 3];
  },
  merge(_acc, a, p, _base, t, newest, out) {
    if (t > newest || (t === newest && (a[p + 2] as string) > (out[2] as string))) {
      out[2] = a[p + 2];
      out[3] = a[p + 3];
    }
  },
});

/** The value of the last event by (event time, event id). Empty: null. */
export const last = defineAggregation({
  name: 'last',
  field: 'any',
  options: {},
  accumulator: lastAccumulator,
  windowed: true,
  asOf: 'tiles',
  valueType: fieldValueType,
  value: (found, p, o): string | number | null => (found ? (p[o + 3] as string | number) : null),
});
