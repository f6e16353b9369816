import type { ArgumentChecks, ConditionContext, ConditionOperator, ConditionProblem } from '../condition.types';
import { isIn } from '../is-in';

function list(expected: unknown, field: string): ConditionProblem | undefined {
  return Array.isArray(expected) ? undefined : { field, message: 'must be an array' };
}

function conditionList(expected: unknown, field: string, nested: ArgumentChecks): ConditionProblem | undefined {
  if (!Array.isArray(expected)) return { field, message: 'must be an array' };
  for (let i = 0; i < expected.length; i++) {
    const problem = nested.value(expected[i], `${field}[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

/** Every expected condition matches some element of the array attribute. */
function isInAll(actual: unknown, expected: readonly unknown[], ctx: ConditionContext, insensitive: boolean): boolean {
  if (!Array.isArray(actual)) return false;
  return expected.every((e) => actual.some((a) => ctx.evalValue(e, a, insensitive)));
}

export const MEMBERSHIP_OPERATORS: Record<string, ConditionOperator> = {
  $in: { evaluate: (actual, expected) => Array.isArray(expected) && isIn(actual, expected), check: list },
  $nin: { evaluate: (actual, expected) => Array.isArray(expected) && !isIn(actual, expected), check: list },
  $ini: { evaluate: (actual, expected) => Array.isArray(expected) && isIn(actual, expected, true), check: list },
  $nini: { evaluate: (actual, expected) => Array.isArray(expected) && !isIn(actual, expected, true), check: list },
  $all: {
    evaluate: (actual, expected, ctx) => Array.isArray(expected) && isInAll(actual, expected, ctx, false),
    check: conditionList,
  },
  $alli: {
    evaluate: (actual, expected, ctx) => Array.isArray(expected) && isInAll(actual, expected, ctx, true),
    check: conditionList,
  },
};
