import type { ConditionOperator, ConditionProblem } from '../condition.types';

// JavaScript's own comparisons, as GrowthBook's SDK applies them (strings compare as strings).
type Ordered = number | string;

function scalar(expected: unknown, field: string): ConditionProblem | undefined {
  const t = typeof expected;
  if (expected === null || t === 'string' || t === 'number' || t === 'boolean') return undefined;
  return { field, message: 'must be a string, number, boolean or null' };
}

function ordered(expected: unknown, field: string): ConditionProblem | undefined {
  if (typeof expected === 'string' || typeof expected === 'number') return undefined;
  return { field, message: 'must be a number or a string' };
}

export const COMPARISON_OPERATORS: Record<string, ConditionOperator> = {
  $eq: { evaluate: (actual, expected) => actual === expected, check: scalar },
  $ne: { evaluate: (actual, expected) => actual !== expected, check: scalar },
  $lt: { evaluate: (actual, expected) => (actual as Ordered) < (expected as Ordered), check: ordered },
  $lte: { evaluate: (actual, expected) => (actual as Ordered) <= (expected as Ordered), check: ordered },
  $gt: { evaluate: (actual, expected) => (actual as Ordered) > (expected as Ordered), check: ordered },
  $gte: { evaluate: (actual, expected) => (actual as Ordered) >= (expected as Ordered), check: ordered },
};
