import type { EventSchema } from '../definition/feature-view.types';

/** Event types of the learning-engagement use case and their typed attributes (SPEC). */
export const LEARNING_EVENT_SCHEMA: EventSchema = {
  lesson_sent: {},
  lesson_started: {},
  lesson_completed: {},
  assessment_answered: { is_correct: 'boolean', time_taken_seconds: 'number' },
  session_started: {},
  path_progress: { completion_percentage: 'number', difficulty: 'string' },
};

export const LEARNING_EVENT_TYPES = Object.keys(LEARNING_EVENT_SCHEMA);

export const LEARNER = 'learner';

/** Path difficulty as a number, for averages. */
export const DIFFICULTY_LEVELS: Readonly<Record<string, number>> = { beginner: 1, intermediate: 2, advanced: 3 };

export const WEEKEND_DAYS = [0, 6];
