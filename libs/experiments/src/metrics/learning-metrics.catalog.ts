import { defineMetric } from './define-metric';
import type { Metric } from './metric.types';

/**
 * The metrics experiments on the learning-engagement catalog may analyse, by key. A metric is a
 * versioned value: changing one's meaning means a new version, so old results stay explainable.
 */
export const LEARNING_METRICS: ReadonlyMap<string, Metric> = new Map(
  [
    defineMetric({
      key: 'lesson_completion',
      kind: 'conversion',
      eventType: 'lesson_completed',
      windowHours: 48,
      description: 'Completed a lesson within 48 h of the first exposure (what lesson_completion models predict).',
    }),
    defineMetric({
      key: 'lesson_start',
      kind: 'conversion',
      eventType: 'lesson_started',
      windowHours: 48,
      description: 'Opened a lesson within 48 h of the first exposure.',
    }),
    defineMetric({
      key: 'lessons_completed',
      kind: 'count',
      eventType: 'lesson_completed',
      description: 'Lessons completed in the 7 days after the first exposure.',
    }),
    defineMetric({
      key: 'sessions',
      kind: 'count',
      eventType: 'session_started',
      description: 'Sessions started in the 7 days after the first exposure.',
    }),
    defineMetric({
      key: 'assessment_accuracy',
      kind: 'mean',
      eventType: 'assessment_answered',
      attribute: 'is_correct',
      description: 'Share of assessment answers that were correct, per learner, over 7 days.',
    }),
    defineMetric({
      key: 'assessment_seconds',
      kind: 'sum',
      eventType: 'assessment_answered',
      attribute: 'time_taken_seconds',
      description: 'Seconds spent answering assessments in the 7 days after the first exposure.',
    }),
  ].map((m) => [m.key, m]),
);
