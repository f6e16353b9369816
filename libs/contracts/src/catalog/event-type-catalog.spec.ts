import { ContractDefinitionError } from './contract-definition.error';
import type { EventTypeCatalogSpec } from './event-type-catalog';
import { defineEventTypeCatalog } from './event-type-catalog';
import { LEARNING_ENGAGEMENT_CATALOG } from './learning-engagement.catalog';

const ok: EventTypeCatalogSpec = {
  name: 'test',
  version: 1,
  eventTypes: [{ name: 'clicked', attributes: [{ name: 'x', type: 'number', min: 0, max: 1 }] }],
};

function broken(
  patch: Record<string, unknown>,
  eventType?: Record<string, unknown>,
  attribute?: Record<string, unknown>,
): unknown {
  const et = {
    ...ok.eventTypes[0],
    ...eventType,
    ...(attribute ? { attributes: [{ ...ok.eventTypes[0].attributes?.[0], ...attribute }] } : {}),
  };
  return { ...ok, eventTypes: [et], ...patch };
}

describe('defineEventTypeCatalog', () => {
  it('builds the default learning-engagement catalog from the SPEC', () => {
    const c = LEARNING_ENGAGEMENT_CATALOG;
    expect(c.eventTypeNames).toEqual([
      'lesson_sent',
      'lesson_started',
      'lesson_completed',
      'assessment_answered',
      'session_started',
      'path_progress',
    ]);
    expect(c.get('assessment_answered')?.requiredAttributes).toEqual(['is_correct', 'time_taken_seconds']);
    expect(c.get('assessment_answered')?.attributesByName.get('time_taken_seconds')).toMatchObject({
      type: 'number',
      min: 0,
    });
    expect(c.get('path_progress')?.attributesByName.get('completion_percentage')).toMatchObject({
      type: 'number',
      min: 0,
      max: 100,
      required: true,
    });
    expect(c.get('path_progress')?.attributesByName.get('difficulty')).toMatchObject({
      type: 'enum',
      values: ['beginner', 'intermediate', 'advanced'],
    });
    expect(c.get('lesson_sent')?.attributes).toEqual([]);
    expect(c.has('lesson_exploded')).toBe(false);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('accepts a minimal valid catalog', () => {
    expect(defineEventTypeCatalog(ok).get('clicked')?.requiredAttributes).toEqual([]);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['no name', broken({ name: '' }), /name must be a non-empty string/],
    ['version 0', broken({ version: 0 }), /version must be a positive integer, got 0/],
    ['version 1.5', broken({ version: 1.5 }), /version must be a positive integer/],
    ['no event types', broken({ eventTypes: [] }), /eventTypes must be a non-empty array/],
    ['event type name with capitals', broken({}, { name: 'Clicked' }), /event type 'Clicked': name must match/],
    ['event type name with a dash', broken({}, { name: 'lesson-sent' }), /event type 'lesson-sent': name must match/],
    [
      'duplicate event type',
      { ...ok, eventTypes: [ok.eventTypes[0], ok.eventTypes[0]] },
      /event type 'clicked' is declared twice/,
    ],
    [
      'attributes not an array',
      broken({}, { attributes: { x: 1 } }),
      /event type 'clicked': attributes must be an array/,
    ],
    [
      'unknown attribute type',
      broken({}, {}, { type: 'date' }),
      /\('x'\): type must be one of boolean, number, string, enum, got "date"/,
    ],
    ['bad attribute name', broken({}, {}, { name: '1x' }), /\('1x'\): name must match/],
    ['min above max', broken({}, {}, { min: 5, max: 1 }), /\('x'\): min \(5\) is greater than max \(1\)/],
    ['infinite bound', broken({}, {}, { max: Infinity }), /\('x'\): max must be a finite number/],
    ['values on a number', broken({}, {}, { values: ['a'] }), /\('x'\): 'values' does not apply to number attributes/],
    ['typo in a key', broken({}, {}, { requird: true }), /'requird' does not apply to number attributes/],
    ['required not boolean', broken({}, {}, { required: 'yes' }), /required must be a boolean/],
    [
      'enum without values',
      broken({}, {}, { type: 'enum', min: undefined, max: undefined, values: [] }),
      /values must be a non-empty array of strings/,
    ],
    [
      'enum with duplicate value',
      broken({}, {}, { type: 'enum', min: undefined, max: undefined, values: ['a', 'a'] }),
      /value 'a' is listed twice/,
    ],
    [
      'enum with empty value',
      broken({}, {}, { type: 'enum', min: undefined, max: undefined, values: ['a', ''] }),
      /values\[1\] must be a non-empty string/,
    ],
    [
      'string with maxLength 0',
      broken({}, {}, { type: 'string', min: undefined, max: undefined, maxLength: 0 }),
      /maxLength must be a positive integer/,
    ],
    [
      'duplicate attribute',
      broken({}, { attributes: [ok.eventTypes[0].attributes?.[0], ok.eventTypes[0].attributes?.[0]] }),
      /event type 'clicked': attribute 'x' is declared twice/,
    ],
  ];
  it.each(cases)('rejects a catalog with %s', (_label, spec, message) => {
    const build = () => defineEventTypeCatalog(spec as EventTypeCatalogSpec);
    expect(build).toThrow(ContractDefinitionError);
    expect(build).toThrow(message);
  });

  it('names the catalog in the error', () => {
    expect(() => defineEventTypeCatalog(broken({ version: -1 }) as EventTypeCatalogSpec)).toThrow(
      "event type catalog 'test': version",
    );
  });
});
