import { defineEventTypeCatalog } from './event-type-catalog';

export const DIFFICULTIES = ['beginner', 'intermediate', 'advanced'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

/** The default use case's event types (SPEC: "The default use case (learning engagement)"). */
export const LEARNING_ENGAGEMENT_CATALOG = defineEventTypeCatalog({
  name: 'learning-engagement',
  version: 1,
  eventTypes: [
    { name: 'lesson_sent', description: 'The platform delivered a lesson (content_id) to the learner on a channel.' },
    { name: 'lesson_started', description: 'The learner opened a lesson.' },
    { name: 'lesson_completed', description: 'The learner finished a lesson.' },
    {
      name: 'assessment_answered',
      description: 'The learner answered an assessment question.',
      attributes: [
        { name: 'is_correct', type: 'boolean', required: true },
        { name: 'time_taken_seconds', type: 'number', required: true, min: 0 },
      ],
    },
    { name: 'session_started', description: 'The learner started a session on a channel.' },
    {
      name: 'path_progress',
      description: "The learner's progress through a learning path (content_id) changed.",
      attributes: [
        { name: 'completion_percentage', type: 'number', required: true, min: 0, max: 100 },
        { name: 'difficulty', type: 'enum', required: true, values: DIFFICULTIES },
      ],
    },
  ],
});
