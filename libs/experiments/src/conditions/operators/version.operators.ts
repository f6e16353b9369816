import type { ConditionOperator, ConditionProblem } from '../condition.types';
import { paddedVersionString as v } from '../padded-version';

function version(expected: unknown, field: string): ConditionProblem | undefined {
  if (typeof expected === 'string' || typeof expected === 'number') return undefined;
  return { field, message: 'must be a version such as "1.2.3"' };
}

export const VERSION_OPERATORS: Record<string, ConditionOperator> = {
  $veq: { evaluate: (actual, expected) => v(actual) === v(expected), check: version },
  $vne: { evaluate: (actual, expected) => v(actual) !== v(expected), check: version },
  $vgt: { evaluate: (actual, expected) => v(actual) > v(expected), check: version },
  $vgte: { evaluate: (actual, expected) => v(actual) >= v(expected), check: version },
  $vlt: { evaluate: (actual, expected) => v(actual) < v(expected), check: version },
  $vlte: { evaluate: (actual, expected) => v(actual) <= v(expected), check: version },
};
