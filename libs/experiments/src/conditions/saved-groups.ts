import { getPath } from './attribute-path';
import type { Condition, ConditionContext, SavedGroups } from './condition.types';
import { isIn } from './is-in';

// Looked up as GrowthBook's SDK does (a plain index), so that odd ids give the same answers.
function entryOf(savedGroups: SavedGroups, id: unknown): unknown {
  return (savedGroups as Record<string, unknown>)[id as string];
}

/**
 * The id list `$inGroup` / `$notInGroup` test against: an unknown id is an empty list; an entry that is
 * not a list (a condition group, a malformed entry) is null, which matches nobody either way.
 */
export function savedGroupValues(savedGroups: SavedGroups, id: unknown): readonly unknown[] | null {
  const entry = entryOf(savedGroups, id);
  if (entry === undefined) return [];
  if (Array.isArray(entry)) return entry;
  if (entry && typeof entry === 'object' && (entry as { type?: unknown }).type === 'list') {
    const values = (entry as { values?: unknown }).values;
    return Array.isArray(values) ? values : null;
  }
  return null;
}

/**
 * A `$savedGroup: { id, attributeKey? }` reference: a list group tests the attribute (the reference's
 * attributeKey, else the group's own) against its values; a condition group evaluates its condition.
 * Anything unrecognised, and a group already being resolved (a cycle), matches nobody.
 */
export function evalSavedGroup(obj: unknown, reference: unknown, ctx: ConditionContext): boolean {
  if (!reference || typeof reference !== 'object' || Array.isArray(reference)) return false;
  const { id, attributeKey } = reference as { id?: unknown; attributeKey?: unknown };
  if (typeof id !== 'string' || ctx.visited.has(id)) return false;
  if (attributeKey !== undefined && typeof attributeKey !== 'string') return false;

  const entry = entryOf(ctx.savedGroups, id) as Record<string, unknown> | undefined;
  if (!entry || Array.isArray(entry) || typeof entry !== 'object') return false;

  if (entry.type === 'list') {
    const key = attributeKey ?? entry.attributeKey;
    if (typeof key !== 'string' || !Array.isArray(entry.values)) return false;
    return isIn(getPath(obj, key), entry.values);
  }
  if (entry.type === 'condition') {
    if (!entry.condition || typeof entry.condition !== 'object') return false;
    return ctx.evalCondition(obj, entry.condition as Condition, new Set(ctx.visited).add(id));
  }
  return false;
}
