import type { ConditionOperator } from './condition.types';
import { ARRAY_OPERATORS } from './operators/array.operators';
import { COMPARISON_OPERATORS } from './operators/comparison.operators';
import { MEMBERSHIP_OPERATORS } from './operators/membership.operators';
import { PRESENCE_OPERATORS } from './operators/presence.operators';
import { SAVED_GROUP_OPERATORS } from './operators/saved-group.operators';
import { STRING_OPERATORS } from './operators/string.operators';
import { VERSION_OPERATORS } from './operators/version.operators';

/** Every `$operator` a condition may apply to an attribute's value, by name. */
export const CONDITION_OPERATORS: ReadonlyMap<string, ConditionOperator> = new Map(
  Object.entries({
    ...COMPARISON_OPERATORS,
    ...VERSION_OPERATORS,
    ...MEMBERSHIP_OPERATORS,
    ...SAVED_GROUP_OPERATORS,
    ...ARRAY_OPERATORS,
    ...STRING_OPERATORS,
    ...PRESENCE_OPERATORS,
  }),
);
