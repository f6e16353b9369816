import type { ConditionOperator, ConditionProblem } from '../condition.types';
import { getRegex } from '../regex-cache';

function matches(actual: unknown, pattern: unknown, insensitive: boolean): boolean {
  if (typeof pattern !== 'string') return false;
  try {
    return getRegex(pattern, insensitive).test(actual as string);
  } catch {
    return false;
  }
}

function pattern(expected: unknown, field: string): ConditionProblem | undefined {
  if (typeof expected !== 'string') return { field, message: 'must be a regular expression string' };
  try {
    getRegex(expected);
    return undefined;
  } catch (err) {
    return { field, message: `is not a valid regular expression (${(err as Error).message})` };
  }
}

export const STRING_OPERATORS: Record<string, ConditionOperator> = {
  $regex: { evaluate: (actual, expected) => matches(actual, expected, false), check: pattern },
  $regexi: { evaluate: (actual, expected) => matches(actual, expected, true), check: pattern },
};
