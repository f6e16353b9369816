import { defineAccumulator } from './aggregation.types';

/** No fields of its own: the number of events and the newest time, which the engine keeps. */
export const countAccumulator = defineAccumulator<null>({
  kind: 'count',
  reads: 'raw',
  config: () => null,
  width: () => 2,
  update: () => true,
  start: () => undefined,
  merge: () => undefined,
});
