// Views and event factories for specs: this library's, and others' through @pulse/features/testing (not in the barrel).
import type { Channel, EngagementEvent } from '@pulse/contracts';
import { defineFeatureView } from '../definition/feature-view.builder';
import { FeatureRegistry, type FeatureRegistryOptions } from '../engine/feature-registry';
import { LEARNING_EVENT_SCHEMA } from '../learning-engagement/event-schema';

/** One feature per aggregation, lifetime and windowed (1h tiles, so tests can cross tiles in hours). */
export const allAggregationsView = defineFeatureView({
  name: 'all_aggs',
  version: 3,
  entity: 'learner',
  sources: ['lesson_sent', 'lesson_completed', 'assessment_answered', 'path_progress', 'session_started'],
  schema: LEARNING_EVENT_SCHEMA,
  features: [
    { name: 'n', aggregation: 'count' },
    { name: 'n_2h', aggregation: 'count', window: '2h', tile: '1h' },
    { name: 'n_prev_1h', aggregation: 'count', window: { last: '1h', offset: '1h' }, tile: '1h' },
    { name: 'n_1d', aggregation: 'count', window: '1d', tile: '1d' },
    { name: 'answers', aggregation: 'count', eventTypes: ['assessment_answered'] },
    {
      name: 'correct',
      aggregation: 'count',
      eventTypes: ['assessment_answered'],
      where: [{ field: 'attributes.is_correct', op: 'eq', value: true }],
    },
    { name: 'accuracy', aggregation: 'ratio', numerator: 'correct', denominator: 'answers' },
    { name: 'time_sum', aggregation: 'sum', of: 'attributes.time_taken_seconds' },
    { name: 'time_mean', aggregation: 'mean', of: 'attributes.time_taken_seconds' },
    { name: 'time_var', aggregation: 'variance', of: 'attributes.time_taken_seconds' },
    { name: 'time_mean_2h', aggregation: 'mean', of: 'attributes.time_taken_seconds', window: '2h', tile: '1h' },
    { name: 'time_var_2h', aggregation: 'variance', of: 'attributes.time_taken_seconds', window: '2h', tile: '1h' },
    { name: 'time_min', aggregation: 'min', of: 'attributes.time_taken_seconds' },
    { name: 'time_max_2h', aggregation: 'max', of: 'attributes.time_taken_seconds', window: '2h', tile: '1h' },
    { name: 'first_channel', aggregation: 'first', of: 'channel' },
    { name: 'last_channel_2h', aggregation: 'last', of: 'channel', window: '2h', tile: '1h' },
    { name: 'last_correct', aggregation: 'last', of: 'attributes.is_correct' },
    { name: 'channels', aggregation: 'distinctCount', of: 'channel' },
    { name: 'contents_2h', aggregation: 'distinctCount', of: 'contentId', window: '2h', tile: '1h' },
    { name: 'top_channel', aggregation: 'mode', of: 'channel' },
    { name: 'top_hour', aggregation: 'mode', of: 'hourOfDay' },
    { name: 'top_hour_2h', aggregation: 'mode', of: 'hourOfDay', window: '2h', tile: '1h' },
    { name: 'streak', aggregation: 'currentStreak', of: 'attributes.is_correct' },
    { name: 'since_last', aggregation: 'timeSinceLast' },
    {
      name: 'since_last_answer_2h',
      aggregation: 'timeSinceLast',
      eventTypes: ['assessment_answered'],
      window: '2h',
      tile: '1h',
    },
    {
      name: 'difficulty',
      aggregation: 'mean',
      of: 'attributes.difficulty',
      map: { beginner: 1, intermediate: 2, advanced: 3 },
    },
    {
      name: 'completion_2h',
      aggregation: 'mean',
      of: 'attributes.completion_percentage',
      decimals: 1,
      window: '2h',
      tile: '1h',
    },
    { name: 'top_channels', aggregation: 'topK', of: 'channel', k: 3 },
    { name: 'top_contents_2h', aggregation: 'topK', of: 'contentId', k: 2, window: '2h', tile: '1h' },
    { name: 'time_hist', aggregation: 'histogram', of: 'attributes.time_taken_seconds', edges: [0, 10, 100] },
    {
      name: 'correct_hist_2h',
      aggregation: 'histogram',
      of: 'attributes.is_correct',
      edges: [1],
      window: '2h',
      tile: '1h',
    },
  ],
});

export function allAggregationsRegistry(options?: FeatureRegistryOptions): FeatureRegistry {
  return new FeatureRegistry([allAggregationsView], options);
}

export const T0 = Date.UTC(2024, 0, 1); // a Monday, 00:00 UTC
export const MIN = 60_000;
export const HOUR = 3_600_000;

export function event(
  id: string,
  minutes: number,
  type: string,
  extra: Partial<EngagementEvent> = {},
  attributes: EngagementEvent['attributes'] = {},
): EngagementEvent {
  return {
    eventId: id,
    entityId: 'learner-1',
    eventType: type,
    eventTimeMs: T0 + minutes * MIN,
    channel: 'email' as Channel,
    attributes,
    ...extra,
  };
}

export const answer = (id: string, minutes: number, correct: boolean, seconds: number, channel: Channel = 'web') =>
  event(id, minutes, 'assessment_answered', { channel }, { is_correct: correct, time_taken_seconds: seconds });
