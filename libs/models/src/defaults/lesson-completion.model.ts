import { defineModelSpec } from '../spec/define-model-spec';
import { DEFAULT_FAIRNESS_ATTRIBUTES, DEFAULT_TREE_PARAMS } from './default-params';

/**
 * lesson_completion — on each lesson_sent: will the learner complete that lesson (same content id)
 * within 48 h? Every view's features as of the send, the send's channel, hour, weekday and difficulty,
 * and how they sit with the learner's habits. Fallback: the learner's completion rate so far.
 */
export const lessonCompletionModel = defineModelSpec({
  name: 'lesson_completion',
  version: 1,
  description: 'Will the learner complete the lesson just sent within 48 hours?',
  task: 'binary',
  trigger: { kind: 'event', eventType: 'lesson_sent' },
  label: { kind: 'eventWithin', eventTypes: ['lesson_completed'], horizon: '48h', matchOn: ['contentId'] },
  features: {
    views: [
      { view: 'learner_behaviour', version: 1, features: '*' },
      { view: 'learner_temporal', version: 1, features: '*' },
      { view: 'learner_content', version: 1, features: '*' },
      { view: 'learner_engagement', version: 1, features: '*' },
      { view: 'learner_channel', version: 1, features: '*' },
      { view: 'learner_activity', version: 1, features: '*' },
    ],
    request: ['send_channel', 'send_hour', 'send_day_of_week', 'content_difficulty'],
    derived: [
      'channel_is_primary',
      'channel_completion_rate',
      'hour_distance_to_active',
      'difficulty_gap',
      'channel_is_own',
      'hour_distance_to_own',
      'unopened_sends_3d',
    ],
  },
  params: { ...DEFAULT_TREE_PARAMS, num_boost_round: 800 },
  gates: {
    absolute: [{ metric: 'auc', op: '>', threshold: 0.7 }],
    fairness: { maxDemographicParityDifference: 0.1, maxEqualizedOddsDifference: 0.1 },
    champion: { metric: 'auc', minImprovement: 0.01 },
  },
  fairnessAttributes: DEFAULT_FAIRNESS_ATTRIBUTES,
  baselineFeature: 'learner_behaviour.lesson_completion_rate',
  fallback: { description: "the learner's lesson completion rate so far (0.5 for a learner without sends)" },
});
