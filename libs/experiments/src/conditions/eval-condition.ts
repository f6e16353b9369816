import { getPath } from './attribute-path';
import { CONDITION_OPERATORS } from './condition-operator.registry';
import type { Condition, ConditionContext, SavedGroups } from './condition.types';
import { isOperatorObject } from './operator-object';
import { evalSavedGroup } from './saved-groups';

const NONE: ReadonlySet<string> = new Set();

/**
 * Whether `obj` (a unit's attributes) satisfies a GrowthBook condition. `savedGroups` resolves
 * `$inGroup`, `$notInGroup` and `$savedGroup`. Unknown operators match nobody.
 */
export function evalCondition(obj: unknown, condition: Condition, savedGroups: SavedGroups = NO_GROUPS): boolean {
  let ctx = contexts.get(savedGroups);
  if (!ctx) {
    ctx = contextFor(savedGroups, NONE);
    contexts.set(savedGroups, ctx);
  }
  return evaluate(obj, condition, ctx);
}

const NO_GROUPS: SavedGroups = {};
// One context per saved-groups object: conditions are evaluated per unit on hot paths.
const contexts = new WeakMap<SavedGroups, ConditionContext>();

function contextFor(savedGroups: SavedGroups, visited: ReadonlySet<string>): ConditionContext {
  const ctx: ConditionContext = {
    savedGroups,
    visited,
    evalValue: (condition, actual, insensitive = false) => evalValue(condition, actual, ctx, insensitive),
    evalCondition: (obj, condition, other) =>
      evaluate(obj, condition, other === undefined ? ctx : contextFor(savedGroups, other)),
  };
  return ctx;
}

function evaluate(obj: unknown, condition: Condition, ctx: ConditionContext): boolean {
  for (const [k, v] of Object.entries(condition)) {
    switch (k) {
      case '$or':
        if (!evalOr(obj, v as Condition[], ctx)) return false;
        break;
      case '$nor':
        if (evalOr(obj, v as Condition[], ctx)) return false;
        break;
      case '$and':
        if (!evalAnd(obj, v as Condition[], ctx)) return false;
        break;
      case '$not':
        if (evaluate(obj, v as Condition, ctx)) return false;
        break;
      case '$savedGroup':
        if (!evalSavedGroup(obj, v, ctx)) return false;
        break;
      default:
        if (!evalValue(v, getPath(obj, k), ctx, false)) return false;
    }
  }
  return true;
}

// An empty $or is true, as in GrowthBook.
function evalOr(obj: unknown, conditions: readonly Condition[], ctx: ConditionContext): boolean {
  if (!conditions.length) return true;
  for (let i = 0; i < conditions.length; i++) if (evaluate(obj, conditions[i], ctx)) return true;
  return false;
}

function evalAnd(obj: unknown, conditions: readonly Condition[], ctx: ConditionContext): boolean {
  for (let i = 0; i < conditions.length; i++) if (!evaluate(obj, conditions[i], ctx)) return false;
  return true;
}

/** One attribute's value against a scalar (equality), a literal (JSON equality) or `$operators`. */
function evalValue(condition: unknown, value: unknown, ctx: ConditionContext, insensitive: boolean): boolean {
  if (typeof condition === 'string') {
    return insensitive ? String(value).toLowerCase() === condition.toLowerCase() : String(value) === condition;
  }
  if (typeof condition === 'number') return (value as number) * 1 === condition;
  if (typeof condition === 'boolean') return value !== null && !!value === condition;
  if (condition === null) return value === null;
  if (Array.isArray(condition) || !isOperatorObject(condition as object)) {
    return JSON.stringify(value) === JSON.stringify(condition);
  }
  for (const [op, expected] of Object.entries(condition as Record<string, unknown>)) {
    const operator = CONDITION_OPERATORS.get(op);
    if (!operator || !operator.evaluate(value, expected, ctx)) return false;
  }
  return true;
}
