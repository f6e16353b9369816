import { CONDITION_OPERATORS } from './condition-operator.registry';
import type { ArgumentChecks, ConditionProblem } from './condition.types';
import { isOperatorObject } from './operator-object';

const nested: ArgumentChecks = { value: valueProblem, condition: conditionProblem };

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * What is wrong with a condition as written, naming the field (`condition.age.$gt`), or undefined.
 * GrowthBook's SDK quietly matches nobody on an unknown operator or a bad argument; a definition
 * refuses them instead. Keys other than `$and`, `$or`, `$nor`, `$not` and `$savedGroup` are attribute
 * paths, `$`-prefixed ones included (GrowthBook matches an attribute named `$groups`).
 */
export function conditionProblem(condition: unknown, field = 'condition'): ConditionProblem | undefined {
  if (!isPlainObject(condition)) return { field, message: 'must be an object' };
  for (const [key, v] of Object.entries(condition)) {
    const at = `${field}.${key}`;
    let problem: ConditionProblem | undefined;
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (!Array.isArray(v)) return { field: at, message: 'must be an array of conditions' };
      for (let i = 0; i < v.length && !problem; i++) problem = conditionProblem(v[i], `${at}[${i}]`);
    } else if (key === '$not') {
      problem = conditionProblem(v, at);
    } else if (key === '$savedGroup') {
      if (!isPlainObject(v) || typeof v.id !== 'string' || v.id === '')
        return { field: at, message: 'must be { id, attributeKey? } naming a saved group' };
      if (v.attributeKey !== undefined && typeof v.attributeKey !== 'string')
        return { field: `${at}.attributeKey`, message: 'must be a string' };
    } else if (key === '') {
      return { field: at, message: 'an attribute path must not be empty' };
    } else {
      problem = valueProblem(v, at);
    }
    if (problem) return problem;
  }
  return undefined;
}

/** What is wrong with the condition on one attribute's value, or undefined. */
export function valueProblem(condition: unknown, field: string): ConditionProblem | undefined {
  if (condition === null || typeof condition === 'string' || typeof condition === 'boolean') return undefined;
  if (typeof condition === 'number')
    return Number.isFinite(condition) ? undefined : { field, message: 'must be a finite number' };
  if (Array.isArray(condition)) return undefined;
  if (!isPlainObject(condition)) return { field, message: `must be a JSON value, got ${typeof condition}` };
  const keys = Object.keys(condition);
  if (!isOperatorObject(condition)) {
    const op = keys.find((k) => k.startsWith('$'));
    return op === undefined ? undefined : { field, message: `mixes the operator "${op}" with plain keys` };
  }
  for (const op of keys) {
    const operator = CONDITION_OPERATORS.get(op);
    if (!operator)
      return {
        field: `${field}.${op}`,
        message: `unknown operator (known: ${[...CONDITION_OPERATORS.keys()].join(', ')})`,
      };
    const problem = operator.check(condition[op], `${field}.${op}`, nested);
    if (problem) return problem;
  }
  return undefined;
}
