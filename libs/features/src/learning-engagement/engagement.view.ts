import { CHANNELS } from '@pulse/contracts';
import { defineFeatureView } from '../definition/feature-view.builder';
import { LEARNER, LEARNING_EVENT_SCHEMA, LEARNING_EVENT_TYPES } from './event-schema';

const PREVIOUS_14D = { last: '14d', offset: '14d' } as const;

/** Engagement: channels, breadth, and activity now vs the 14 days before (dropout_risk). */
export const learnerEngagementView = defineFeatureView({
  name: 'learner_engagement',
  version: 1,
  entity: LEARNER,
  sources: LEARNING_EVENT_TYPES,
  schema: LEARNING_EVENT_SCHEMA,
  features: [
    { name: 'channel_diversity', aggregation: 'distinctCount', of: 'channel' },
    {
      name: 'primary_channel',
      aggregation: 'mode',
      of: 'channel',
      categories: CHANNELS,
      description: 'most used channel (ties: alphabetical)',
    },
    { name: 'last_channel', aggregation: 'last', of: 'channel', categories: CHANNELS },
    { name: 'event_type_diversity', aggregation: 'distinctCount', of: 'eventType' },
    { name: 'events_total', aggregation: 'count' },
    { name: 'events_14d', aggregation: 'count', window: '14d' },
    {
      name: 'events_prev_14d',
      aggregation: 'count',
      window: PREVIOUS_14D,
      description: 'events in [T−28d, T−14d) (whole UTC days)',
    },
    { name: 'activity_trend_14d', aggregation: 'ratio', numerator: 'events_14d', denominator: 'events_prev_14d' },
    { name: 'active_days_14d', aggregation: 'distinctCount', of: 'dayIndex', window: '14d' },
    { name: 'active_days_prev_14d', aggregation: 'distinctCount', of: 'dayIndex', window: PREVIOUS_14D },
    { name: 'sessions_7d', aggregation: 'count', eventTypes: ['session_started'], window: '7d' },
    { name: 'sessions_30d', aggregation: 'count', eventTypes: ['session_started'], window: '30d' },
  ],
});
