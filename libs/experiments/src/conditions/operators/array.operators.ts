import type { ConditionOperator, ConditionProblem } from '../condition.types';
import { isOperatorObject } from '../operator-object';

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export const ARRAY_OPERATORS: Record<string, ConditionOperator> = {
  $size: {
    evaluate: (actual, expected, ctx) => Array.isArray(actual) && ctx.evalValue(expected, actual.length),
    check: (expected, field, nested) => nested.value(expected, field),
  },
  // Some element matches: an operator object tests the element itself, any other object its fields.
  $elemMatch: {
    evaluate: (actual, expected, ctx) => {
      if (!Array.isArray(actual)) return false;
      const matches = isOperatorObject(expected as object)
        ? (el: unknown) => ctx.evalValue(expected, el)
        : (el: unknown) => ctx.evalCondition(el, expected as Record<string, unknown>);
      return actual.some((el) => (el ?? null) !== null && matches(el));
    },
    check: (expected, field, nested): ConditionProblem | undefined => {
      if (!isPlainObject(expected)) return { field, message: 'must be an object' };
      return isOperatorObject(expected) ? nested.value(expected, field) : nested.condition(expected, field);
    },
  },
};
