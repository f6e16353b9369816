import { defineFeatureView } from '../definition/feature-view.builder';
import { DIFFICULTY_LEVELS, LEARNER, LEARNING_EVENT_SCHEMA } from './event-schema';

/** Content: progress through paths, difficulty, assessments. */
export const learnerContentView = defineFeatureView({
  name: 'learner_content',
  version: 1,
  entity: LEARNER,
  sources: ['path_progress', 'assessment_answered', 'lesson_completed'],
  schema: LEARNING_EVENT_SCHEMA,
  features: [
    {
      name: 'avg_path_completion',
      aggregation: 'mean',
      of: 'attributes.completion_percentage',
      eventTypes: ['path_progress'],
    },
    {
      name: 'max_path_completion',
      aggregation: 'max',
      of: 'attributes.completion_percentage',
      eventTypes: ['path_progress'],
    },
    {
      name: 'completed_paths',
      aggregation: 'distinctCount',
      of: 'contentId',
      eventTypes: ['path_progress'],
      where: [{ field: 'attributes.completion_percentage', op: 'gte', value: 100 }],
      description: 'distinct paths reported at 100 %',
    },
    {
      name: 'avg_difficulty',
      aggregation: 'mean',
      of: 'attributes.difficulty',
      map: DIFFICULTY_LEVELS,
      eventTypes: ['path_progress'],
      description: 'beginner=1 … advanced=3',
    },
    {
      name: 'last_difficulty',
      aggregation: 'last',
      of: 'attributes.difficulty',
      map: DIFFICULTY_LEVELS,
      eventTypes: ['path_progress'],
    },
    { name: 'assessments_taken', aggregation: 'count', eventTypes: ['assessment_answered'] },
    { name: 'assessments_taken_7d', aggregation: 'count', eventTypes: ['assessment_answered'], window: '7d' },
    {
      name: 'distinct_lessons_completed',
      aggregation: 'distinctCount',
      of: 'contentId',
      eventTypes: ['lesson_completed'],
    },
  ],
});
