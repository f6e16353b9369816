import { CHANNELS } from '@pulse/contracts';
import { defineFeatureView } from '../definition/feature-view.builder';
import { LEARNER, LEARNING_EVENT_SCHEMA } from './event-schema';

/** What the learner does on their own: lesson_sent is the platform's act, so it is left out here. */
export const LEARNER_INITIATED = ['session_started', 'lesson_started', 'lesson_completed', 'assessment_answered'];

const PREVIOUS_14D = { last: '14d', offset: '14d' } as const;
const OWN = { eventTypes: LEARNER_INITIATED } as const;

/**
 * Activity: the learner's own rhythm — active days now against the 14 days before (dropout_risk), the
 * hour and channel of their own sessions, and lessons sent lately that they have not opened (fatigue,
 * for lesson_completion).
 */
export const learnerActivityView = defineFeatureView({
  name: 'learner_activity',
  version: 1,
  entity: LEARNER,
  sources: [...LEARNER_INITIATED, 'lesson_sent'],
  schema: LEARNING_EVENT_SCHEMA,
  description: "The learner's own activity: active days, own hour and channel, recent unopened sends",
  features: [
    { name: 'own_active_days_7d', aggregation: 'distinctCount', of: 'dayIndex', window: '7d', ...OWN },
    { name: 'own_active_days_14d', aggregation: 'distinctCount', of: 'dayIndex', window: '14d', ...OWN },
    { name: 'own_active_days_prev_14d', aggregation: 'distinctCount', of: 'dayIndex', window: PREVIOUS_14D, ...OWN },
    {
      name: 'own_activity_trend_14d',
      aggregation: 'ratio',
      numerator: 'own_active_days_14d',
      denominator: 'own_active_days_prev_14d',
    },
    { name: 'own_events_3d', aggregation: 'count', window: '3d', ...OWN },
    {
      name: 'time_since_own_activity',
      aggregation: 'timeSinceLast',
      description: 'ms since the learner last acted',
      ...OWN,
    },
    {
      name: 'own_hour',
      aggregation: 'mode',
      of: 'hourOfDay',
      eventTypes: ['session_started'],
      description: 'UTC hour 0-23 of most of the learner’s own sessions',
    },
    { name: 'own_channel', aggregation: 'mode', of: 'channel', eventTypes: ['session_started'], categories: CHANNELS },
    { name: 'lessons_sent_3d', aggregation: 'count', eventTypes: ['lesson_sent'], window: '3d' },
    { name: 'lessons_started_3d', aggregation: 'count', eventTypes: ['lesson_started'], window: '3d' },
  ],
});
