import type { ConditionOperator } from '../condition.types';
import { getType, VALUE_TYPES } from '../value-type';

export const PRESENCE_OPERATORS: Record<string, ConditionOperator> = {
  // Loose equality so that an undefined attribute counts as missing, like null.
  $exists: {
    evaluate: (actual, expected) => (expected ? actual != null : actual == null),
    check: (expected, field) =>
      typeof expected === 'boolean' ? undefined : { field, message: 'must be true or false' },
  },
  $type: {
    evaluate: (actual, expected) => getType(actual) === expected,
    check: (expected, field) =>
      (VALUE_TYPES as readonly unknown[]).includes(expected)
        ? undefined
        : { field, message: `must be one of ${VALUE_TYPES.join(', ')}` },
  },
  $not: {
    evaluate: (actual, expected, ctx) => !ctx.evalValue(expected, actual),
    check: (expected, field, nested) => nested.value(expected, field),
  },
};
