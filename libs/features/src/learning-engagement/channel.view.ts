import { CHANNELS } from '@pulse/contracts';
import type { FeatureDefinition } from '../definition/feature-view.types';
import { defineFeatureView } from '../definition/feature-view.builder';
import { LEARNER, LEARNING_EVENT_SCHEMA } from './event-schema';

const perChannel = (channel: string): FeatureDefinition[] => [
  {
    name: `lessons_sent_${channel}`,
    aggregation: 'count',
    eventTypes: ['lesson_sent'],
    where: [{ field: 'channel', op: 'eq', value: channel }],
  },
  {
    name: `lessons_completed_${channel}`,
    aggregation: 'count',
    eventTypes: ['lesson_completed'],
    where: [{ field: 'channel', op: 'eq', value: channel }],
  },
  {
    name: `completion_rate_${channel}`,
    aggregation: 'ratio',
    numerator: `lessons_completed_${channel}`,
    denominator: `lessons_sent_${channel}`,
  },
];

/** Per delivery channel, lifetime completion (lesson_completion joins it with the sent lesson's channel). */
export const learnerChannelView = defineFeatureView({
  name: 'learner_channel',
  version: 1,
  entity: LEARNER,
  sources: ['lesson_sent', 'lesson_completed'],
  schema: LEARNING_EVENT_SCHEMA,
  features: CHANNELS.flatMap(perChannel),
});
