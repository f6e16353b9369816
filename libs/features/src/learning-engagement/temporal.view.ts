import { defineFeatureView } from '../definition/feature-view.builder';
import { LEARNER, LEARNING_EVENT_SCHEMA, LEARNING_EVENT_TYPES, WEEKEND_DAYS } from './event-schema';

/** Temporal: when the learner is active (UTC). */
export const learnerTemporalView = defineFeatureView({
  name: 'learner_temporal',
  version: 1,
  entity: LEARNER,
  sources: LEARNING_EVENT_TYPES,
  schema: LEARNING_EVENT_SCHEMA,
  features: [
    {
      name: 'most_active_hour',
      aggregation: 'mode',
      of: 'hourOfDay',
      description: 'UTC hour 0-23 with the most events (ties: earliest)',
    },
    { name: 'weekend_events', aggregation: 'count', where: [{ field: 'dayOfWeek', op: 'in', value: WEEKEND_DAYS }] },
    { name: 'weekday_events', aggregation: 'count', where: [{ field: 'dayOfWeek', op: 'notIn', value: WEEKEND_DAYS }] },
    { name: 'weekend_weekday_ratio', aggregation: 'ratio', numerator: 'weekend_events', denominator: 'weekday_events' },
    {
      name: 'time_since_last_engagement',
      aggregation: 'timeSinceLast',
      description: 'ms since the newest event of any type',
    },
    { name: 'events_1d', aggregation: 'count', window: '1d' },
    { name: 'events_7d', aggregation: 'count', window: '7d' },
    { name: 'active_days_7d', aggregation: 'distinctCount', of: 'dayIndex', window: '7d' },
    { name: 'active_hours_1d', aggregation: 'distinctCount', of: 'hourOfDay', window: '1d' },
  ],
});
