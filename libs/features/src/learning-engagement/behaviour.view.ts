import type { FeatureDefinition, WindowSpec } from '../definition/feature-view.types';
import { defineFeatureView } from '../definition/feature-view.builder';
import { LEARNER, LEARNING_EVENT_SCHEMA } from './event-schema';

const lessonCounts = (suffix: string, window: WindowSpec): FeatureDefinition[] => [
  { name: `lessons_sent${suffix}`, aggregation: 'count', eventTypes: ['lesson_sent'], window },
  { name: `lessons_completed${suffix}`, aggregation: 'count', eventTypes: ['lesson_completed'], window },
  {
    name: `completion_rate${suffix}`,
    aggregation: 'ratio',
    numerator: `lessons_completed${suffix}`,
    denominator: `lessons_sent${suffix}`,
  },
];

/** Behaviour: what the learner does with lessons and assessments (completion, accuracy, streak). */
export const learnerBehaviourView = defineFeatureView({
  name: 'learner_behaviour',
  version: 1,
  entity: LEARNER,
  sources: ['lesson_sent', 'lesson_started', 'lesson_completed', 'assessment_answered'],
  schema: LEARNING_EVENT_SCHEMA,
  description: 'Lesson completion, assessment accuracy and time, correct streak; recent windows for lesson_completion',
  features: [
    { name: 'lessons_sent', aggregation: 'count', eventTypes: ['lesson_sent'] },
    { name: 'lessons_started', aggregation: 'count', eventTypes: ['lesson_started'] },
    { name: 'lessons_completed', aggregation: 'count', eventTypes: ['lesson_completed'] },
    {
      name: 'lesson_completion_rate',
      aggregation: 'ratio',
      numerator: 'lessons_completed',
      denominator: 'lessons_sent',
      description: 'completed / sent',
    },
    { name: 'lesson_start_rate', aggregation: 'ratio', numerator: 'lessons_started', denominator: 'lessons_sent' },
    ...lessonCounts('_1d', '1d'),
    ...lessonCounts('_7d', '7d'),
    ...lessonCounts('_30d', '30d'),
    {
      name: 'assessment_accuracy',
      aggregation: 'mean',
      of: 'attributes.is_correct',
      eventTypes: ['assessment_answered'],
    },
    {
      name: 'assessment_accuracy_7d',
      aggregation: 'mean',
      of: 'attributes.is_correct',
      eventTypes: ['assessment_answered'],
      window: '7d',
    },
    {
      name: 'mean_assessment_time',
      aggregation: 'mean',
      of: 'attributes.time_taken_seconds',
      eventTypes: ['assessment_answered'],
      description: 'seconds',
    },
    {
      name: 'assessment_time_variance',
      aggregation: 'variance',
      of: 'attributes.time_taken_seconds',
      eventTypes: ['assessment_answered'],
    },
    {
      name: 'current_correct_streak',
      aggregation: 'currentStreak',
      of: 'attributes.is_correct',
      eventTypes: ['assessment_answered'],
    },
    {
      name: 'time_since_last_completion',
      aggregation: 'timeSinceLast',
      eventTypes: ['lesson_completed'],
      description: 'ms',
    },
  ],
});
