import { ContractDefinitionError } from './contract-definition.error';

/**
 * Event types are declared, not hard-coded: a catalog names each event type and the typed attributes
 * its events carry. Every decoder (protobuf, JSON, HTTP) validates attributes against it.
 */
export type AttributeType = 'boolean' | 'number' | 'string' | 'enum';

interface AttributeSpecBase {
  readonly name: string;
  /** Default false. A required attribute missing from an event rejects the event (missing_field). */
  readonly required?: boolean;
  readonly description?: string;
}
export interface BooleanAttributeSpec extends AttributeSpecBase {
  readonly type: 'boolean';
}
export interface NumberAttributeSpec extends AttributeSpecBase {
  readonly type: 'number';
  /** Inclusive bounds; values outside are rejected (invalid_value). */
  readonly min?: number;
  readonly max?: number;
  /** Default false. */
  readonly integer?: boolean;
}
export interface StringAttributeSpec extends AttributeSpecBase {
  readonly type: 'string';
  /** Default 1024 characters. */
  readonly maxLength?: number;
}
export interface EnumAttributeSpec extends AttributeSpecBase {
  readonly type: 'enum';
  readonly values: readonly string[];
}
export type AttributeSpec = BooleanAttributeSpec | NumberAttributeSpec | StringAttributeSpec | EnumAttributeSpec;

export interface EventTypeSpec {
  readonly name: string;
  readonly description?: string;
  /** Attributes an event of this type may carry; any other attribute is rejected (unknown_field). */
  readonly attributes?: readonly AttributeSpec[];
}

export interface EventTypeCatalogSpec {
  readonly name: string;
  /** Positive integer, bumped on every change so consumers can tell which catalog judged an event. */
  readonly version: number;
  readonly eventTypes: readonly EventTypeSpec[];
}

export interface EventTypeDefinition {
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeSpec[];
  readonly attributesByName: ReadonlyMap<string, AttributeSpec>;
  readonly requiredAttributes: readonly string[];
}

/** A validated, frozen catalog. Build it with defineEventTypeCatalog. */
export interface EventTypeCatalog {
  readonly name: string;
  readonly version: number;
  readonly eventTypeNames: readonly string[];
  get(eventType: string): EventTypeDefinition | undefined;
  has(eventType: string): boolean;
}

export const DEFAULT_STRING_ATTRIBUTE_MAX_LENGTH = 1024;
const NAME = /^[a-z][a-z0-9_]{0,63}$/;
const ATTRIBUTE_TYPES: readonly AttributeType[] = ['boolean', 'number', 'string', 'enum'];
const COMMON_KEYS = ['name', 'type', 'required', 'description'];
const KEYS_BY_TYPE: Record<AttributeType, readonly string[]> = {
  boolean: COMMON_KEYS,
  number: [...COMMON_KEYS, 'min', 'max', 'integer'],
  string: [...COMMON_KEYS, 'maxLength'],
  enum: [...COMMON_KEYS, 'values'],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a catalog spec and returns the frozen catalog; throws ContractDefinitionError naming the problem. */
export function defineEventTypeCatalog(spec: EventTypeCatalogSpec): EventTypeCatalog {
  const rawName = isRecord(spec) && typeof spec.name === 'string' && spec.name !== '' ? spec.name : undefined;
  const definition = `event type catalog '${rawName ?? '?'}'`;
  const fail: (message: string) => never = (message) => {
    throw new ContractDefinitionError(definition, message);
  };
  if (!isRecord(spec)) fail('the catalog must be an object');
  if (rawName === undefined) fail('name must be a non-empty string');
  if (!Number.isInteger(spec.version) || spec.version < 1)
    fail(`version must be a positive integer, got ${String(spec.version)}`);
  if (!Array.isArray(spec.eventTypes) || spec.eventTypes.length === 0) fail('eventTypes must be a non-empty array');

  const byName = new Map<string, EventTypeDefinition>();
  spec.eventTypes.forEach((eventType, index) => {
    const where =
      isRecord(eventType) && typeof eventType.name === 'string'
        ? `event type '${eventType.name}'`
        : `eventTypes[${index}]`;
    if (!isRecord(eventType)) fail(`${where} must be an object`);
    if (typeof eventType.name !== 'string' || !NAME.test(eventType.name)) {
      fail(`${where}: name must match ${NAME} (lower snake_case, at most 64 characters)`);
    }
    if (byName.has(eventType.name)) fail(`${where} is declared twice`);
    if (eventType.description !== undefined && typeof eventType.description !== 'string')
      fail(`${where}: description must be a string`);
    const attrs = eventType.attributes ?? [];
    if (!Array.isArray(attrs)) fail(`${where}: attributes must be an array`);
    const attributesByName = new Map<string, AttributeSpec>();
    attrs.forEach((attr, attrIndex) => {
      const attribute = validateAttribute(attr, `${where} attributes[${attrIndex}]`, fail);
      if (attributesByName.has(attribute.name)) fail(`${where}: attribute '${attribute.name}' is declared twice`);
      attributesByName.set(attribute.name, attribute);
    });
    const attributes = Object.freeze([...attributesByName.values()]);
    byName.set(
      eventType.name,
      Object.freeze({
        name: eventType.name,
        description: eventType.description ?? '',
        attributes,
        attributesByName,
        requiredAttributes: Object.freeze(attributes.filter((a) => a.required === true).map((a) => a.name)),
      }),
    );
  });

  const eventTypeNames = Object.freeze([...byName.keys()]);
  return Object.freeze({
    name: spec.name,
    version: spec.version,
    eventTypeNames,
    get: (eventType: string) => byName.get(eventType),
    has: (eventType: string) => byName.has(eventType),
  });
}

function validateAttribute(attr: unknown, where: string, fail: (message: string) => never): AttributeSpec {
  if (!isRecord(attr)) return fail(`${where} must be an object`);
  const label = typeof attr.name === 'string' ? `${where} ('${attr.name}')` : where;
  if (typeof attr.name !== 'string' || !NAME.test(attr.name)) fail(`${label}: name must match ${NAME}`);
  if (!ATTRIBUTE_TYPES.includes(attr.type as AttributeType)) {
    fail(`${label}: type must be one of ${ATTRIBUTE_TYPES.join(', ')}, got ${JSON.stringify(attr.type)}`);
  }
  const type = attr.type as AttributeType;
  for (const key of Object.keys(attr)) {
    if (attr[key] !== undefined && !KEYS_BY_TYPE[type].includes(key))
      fail(`${label}: '${key}' does not apply to ${type} attributes`);
  }
  if (attr.required !== undefined && typeof attr.required !== 'boolean') fail(`${label}: required must be a boolean`);
  if (attr.description !== undefined && typeof attr.description !== 'string')
    fail(`${label}: description must be a string`);
  if (type === 'number') {
    for (const bound of ['min', 'max'] as const) {
      if (attr[bound] !== undefined && !Number.isFinite(attr[bound]))
        fail(`${label}: ${bound} must be a finite number`);
    }
    if (attr.min !== undefined && attr.max !== undefined && (attr.min as number) > (attr.max as number)) {
      fail(`${label}: min (${String(attr.min)}) is greater than max (${String(attr.max)})`);
    }
    if (attr.integer !== undefined && typeof attr.integer !== 'boolean') fail(`${label}: integer must be a boolean`);
  }
  if (type === 'string' && attr.maxLength !== undefined) {
    if (!Number.isInteger(attr.maxLength) || (attr.maxLength as number) < 1)
      fail(`${label}: maxLength must be a positive integer`);
  }
  if (type === 'enum') {
    const values = attr.values;
    if (!Array.isArray(values) || values.length === 0)
      return fail(`${label}: values must be a non-empty array of strings`);
    values.forEach((value, i) => {
      if (typeof value !== 'string' || value === '') fail(`${label}: values[${i}] must be a non-empty string`);
    });
    const dup = values.find((value, i) => values.indexOf(value) !== i);
    if (dup !== undefined) fail(`${label}: value '${String(dup)}' is listed twice`);
    return Object.freeze({ ...attr, values: Object.freeze([...values]) }) as unknown as AttributeSpec;
  }
  return Object.freeze({ ...attr }) as unknown as AttributeSpec;
}
