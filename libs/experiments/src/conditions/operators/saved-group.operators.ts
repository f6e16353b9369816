import type { ConditionOperator, ConditionProblem } from '../condition.types';
import { isIn } from '../is-in';
import { savedGroupValues } from '../saved-groups';

function groupId(expected: unknown, field: string): ConditionProblem | undefined {
  return typeof expected === 'string' && expected !== '' ? undefined : { field, message: 'must name a saved group' };
}

export const SAVED_GROUP_OPERATORS: Record<string, ConditionOperator> = {
  $inGroup: {
    evaluate: (actual, expected, ctx) => {
      const values = savedGroupValues(ctx.savedGroups, expected);
      return values !== null && isIn(actual, values);
    },
    check: groupId,
  },
  $notInGroup: {
    evaluate: (actual, expected, ctx) => {
      const values = savedGroupValues(ctx.savedGroups, expected);
      return values !== null && !isIn(actual, values);
    },
    check: groupId,
  },
};
