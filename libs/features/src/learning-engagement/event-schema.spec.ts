import { defineEventTypeCatalog, LEARNING_ENGAGEMENT_CATALOG } from '@pulse/contracts';
import { DIFFICULTY_LEVELS, eventSchemaFromCatalog, LEARNING_EVENT_SCHEMA, LEARNING_EVENT_TYPES } from './event-schema';

describe('event schema from the catalog', () => {
  it('maps every event type and attribute, an enum as a string', () => {
    const catalog = defineEventTypeCatalog({
      name: 'test',
      version: 1,
      eventTypes: [
        { name: 'plain' },
        {
          name: 'rich',
          attributes: [
            { name: 'flag', type: 'boolean' },
            { name: 'amount', type: 'number', min: 0 },
            { name: 'note', type: 'string' },
            { name: 'level', type: 'enum', values: ['low', 'high'] },
          ],
        },
      ],
    });
    expect(eventSchemaFromCatalog(catalog)).toEqual({
      plain: {},
      rich: { flag: 'boolean', amount: 'number', note: 'string', level: 'string' },
    });
  });

  it('is the learning-engagement catalog', () => {
    expect(LEARNING_EVENT_TYPES).toEqual(LEARNING_ENGAGEMENT_CATALOG.eventTypeNames);
    expect(LEARNING_EVENT_SCHEMA.assessment_answered).toEqual({ is_correct: 'boolean', time_taken_seconds: 'number' });
    expect(LEARNING_EVENT_SCHEMA.path_progress).toEqual({ completion_percentage: 'number', difficulty: 'string' });
    expect(DIFFICULTY_LEVELS).toEqual({ beginner: 1, intermediate: 2, advanced: 3 });
  });
});
