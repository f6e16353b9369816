import { readNumber, type FallbackRule } from './fallback.types';

/** P(complete) for a learner without a completion rate yet (no lesson sent before). */
export const LESSON_COMPLETION_PRIOR = 0.5;

const RATE = 'learner_behaviour.lesson_completion_rate';

/**
 * lesson_completion: the learner's lesson completion rate so far (completed / sent, clamped to
 * [0, 1]) is P(complete); LESSON_COMPLETION_PRIOR when they have no rate.
 */
export const lessonCompletionFallback: FallbackRule = {
  model: 'lesson_completion',
  task: 'binary',
  classes: ['0', '1'],
  description: `the learner's lesson completion rate so far (${LESSON_COMPLETION_PRIOR} without one)`,
  reads: [RATE],
  probabilities(values) {
    const rate = readNumber(values, RATE);
    const p = Number.isFinite(rate) ? Math.min(1, Math.max(0, rate)) : LESSON_COMPLETION_PRIOR;
    return [1 - p, p];
  },
};
