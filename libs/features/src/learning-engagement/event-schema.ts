import { DIFFICULTIES, LEARNING_ENGAGEMENT_CATALOG, type EventTypeCatalog } from '@pulse/contracts';
import type { AttributeType, EventSchema } from '../definition/feature-view.types';

/** A catalog's event types and attribute types as the features see them (an enum reads as a string). */
export function eventSchemaFromCatalog(catalog: EventTypeCatalog): EventSchema {
  const schema: Record<string, Readonly<Record<string, AttributeType>>> = {};
  for (const name of catalog.eventTypeNames) {
    const attributes: Record<string, AttributeType> = {};
    for (const attribute of catalog.get(name)?.attributes ?? []) {
      attributes[attribute.name] = attribute.type === 'enum' ? 'string' : attribute.type;
    }
    schema[name] = Object.freeze(attributes);
  }
  return Object.freeze(schema);
}

/** Event types of the learning-engagement use case and their typed attributes, as its catalog declares them. */
export const LEARNING_EVENT_SCHEMA: EventSchema = eventSchemaFromCatalog(LEARNING_ENGAGEMENT_CATALOG);

export const LEARNING_EVENT_TYPES: readonly string[] = LEARNING_ENGAGEMENT_CATALOG.eventTypeNames;

export const LEARNER = 'learner';

/** Path difficulty as a number (beginner 1, intermediate 2, advanced 3), for averages. */
export const DIFFICULTY_LEVELS: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(DIFFICULTIES.map((difficulty, i) => [difficulty, i + 1])),
);

export const WEEKEND_DAYS = [0, 6];
