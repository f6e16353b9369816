import type { AttributeValue, EngagementEvent } from '@pulse/contracts';
import { DAY_MS, HOUR_MS } from './duration';
import type { AttributeType, Condition, ConditionValue, EventSchema, FieldRef } from './feature-view.types';

export type FieldGetter = (e: EngagementEvent) => AttributeValue | undefined;

/**
 * Fields derived from the event time (UTC), with the period they are constant over: a tile whose
 * size divides the period holds a single value of the field (see plan.ts, tile-keyed bags).
 */
export const TIME_FIELDS: Readonly<
  Record<string, { readonly of: (timeMs: number) => number; readonly periodMs: number }>
> = {
  hourOfDay: { of: (ms) => Math.floor(mod(ms, DAY_MS) / HOUR_MS), periodMs: HOUR_MS },
  // 1970-01-01 was a Thursday (4).
  dayOfWeek: { of: (ms) => mod(Math.floor(ms / DAY_MS) + 4, 7), periodMs: DAY_MS },
  dayIndex: { of: (ms) => Math.floor(ms / DAY_MS), periodMs: DAY_MS },
};

const BUILT_IN: Record<string, { type: AttributeType; get: FieldGetter }> = {
  channel: { type: 'string', get: (e) => e.channel },
  contentId: { type: 'string', get: (e) => e.contentId },
  eventType: { type: 'string', get: (e) => e.eventType },
  // Derived fields use UTC: events carry no time zone.
  hourOfDay: { type: 'number', get: (e) => TIME_FIELDS.hourOfDay.of(e.eventTimeMs) },
  dayOfWeek: { type: 'number', get: (e) => TIME_FIELDS.dayOfWeek.of(e.eventTimeMs) },
  dayIndex: { type: 'number', get: (e) => TIME_FIELDS.dayIndex.of(e.eventTimeMs) },
  'profile.role': { type: 'string', get: (e) => e.profile?.role },
  'profile.region': { type: 'string', get: (e) => e.profile?.region },
};

function mod(a: number, m: number): number {
  const r = a % m;
  return r < 0 ? r + m : r;
}

export function isBuiltInField(field: string): boolean {
  return Object.prototype.hasOwnProperty.call(BUILT_IN, field);
}

const ATTRIBUTE_RE = /^attributes\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** The attribute name of an `attributes.x` reference, or undefined. */
export function attributeName(field: string): string | undefined {
  return ATTRIBUTE_RE.exec(field)?.[1];
}

/**
 * The type of a field over the given event types, or a message saying why it has none: an attribute
 * must be declared by at least one of the event types, with one type everywhere it is declared.
 */
export function fieldType(
  field: string,
  eventTypes: readonly string[],
  schema: EventSchema | undefined,
): AttributeType | string {
  if (isBuiltInField(field)) return BUILT_IN[field].type;
  const attr = attributeName(field);
  if (attr === undefined)
    return `field "${field}" is not a known field (channel, contentId, eventType, hourOfDay, dayOfWeek, dayIndex, profile.role, profile.region or attributes.<name>)`;
  if (!schema) return `field "${field}" reads an attribute but the view has no schema`;
  const types = new Set<AttributeType>();
  for (const t of eventTypes) {
    const declared = schema[t]?.[attr];
    if (declared) types.add(declared);
  }
  if (types.size === 0) return `attribute "${attr}" is not declared by any of the event types ${eventTypes.join(', ')}`;
  if (types.size > 1) return `attribute "${attr}" has different types across event types (${[...types].join(', ')})`;
  return [...types][0];
}

export function fieldGetter(field: FieldRef): FieldGetter {
  if (isBuiltInField(field)) return BUILT_IN[field].get;
  const attr = attributeName(field) as string;
  return (e) => {
    const a = e.attributes;
    return a && Object.prototype.hasOwnProperty.call(a, attr) ? a[attr] : undefined;
  };
}

export type Predicate = (e: EngagementEvent) => boolean;

/** A conjunction of conditions as one predicate; a missing field fails its condition. */
export function compileConditions(conditions: readonly Condition[]): Predicate | null {
  if (conditions.length === 0) return null;
  const preds = conditions.map(compileCondition);
  if (preds.length === 1) return preds[0];
  return (e) => {
    for (let i = 0; i < preds.length; i++) if (!preds[i](e)) return false;
    return true;
  };
}

function compileCondition(c: Condition): Predicate {
  const get = fieldGetter(c.field);
  const v = c.value as ConditionValue;
  switch (c.op) {
    case 'eq':
      return (e) => get(e) === v;
    case 'ne':
      return (e) => {
        const x = get(e);
        return x !== undefined && x !== v;
      };
    case 'in': {
      const set = new Set(c.value as readonly ConditionValue[]);
      return (e) => set.has(get(e) as ConditionValue);
    }
    case 'notIn': {
      const set = new Set(c.value as readonly ConditionValue[]);
      return (e) => {
        const x = get(e);
        return x !== undefined && !set.has(x);
      };
    }
    case 'gt':
      return (e) => compare(get(e), v) > 0;
    case 'gte':
      return (e) => compare(get(e), v) >= 0;
    case 'lt':
      return (e) => compare(get(e), v) < 0;
    case 'lte':
      return (e) => compare(get(e), v) <= 0;
  }
}

// NaN (incomparable, including a missing field) fails every ordering condition.
function compare(a: AttributeValue | undefined, b: ConditionValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return NaN;
}
