import { keyCounts } from '../engine/partials';
import { defineAggregation } from './aggregation.types';
import { bagAccumulator, bagMode, bagOf } from './bag.accumulator';
import { fieldValueType } from './value-type';

/** The most frequent value; ties go to the smallest (numeric order for numbers). Empty: null. */
export const mode = defineAggregation({
  name: 'mode',
  field: 'any',
  options: {},
  accumulator: bagAccumulator,
  windowed: true,
  asOf: 'tiles',
  tileKeyed: true,
  valueType: fieldValueType,
  value(found, p, o, f): string | number | null {
    if (!found) return null;
    return f.tileKey !== null ? keyCounts.mode() : bagMode(bagOf(p, o), f.valueType === 'number');
  },
});
