import { defineModelSpec } from '../spec/define-model-spec';
import { DEFAULT_FAIRNESS_ATTRIBUTES, DEFAULT_TREE_PARAMS } from './default-params';

/** What a learner does on their own (lesson_sent is the platform's act, not the learner's). */
export const LEARNER_ACTIVITY = [
  'session_started',
  'lesson_started',
  'lesson_completed',
  'assessment_answered',
  'path_progress',
];

/**
 * dropout_risk — each day, for each learner with 14 days of history and 3+ active days in the last 14:
 * will their active days in the next 14 days fall? high: at most 0.3 of the previous 14 days' active
 * days; low: at least 0.7; medium between (see docs/models.md for why). Fallback: the same rule on
 * the last 14 days against the 14 before.
 */
export const dropoutRiskModel = defineModelSpec({
  name: 'dropout_risk',
  version: 1,
  description: 'Low / medium / high risk that the learner drops out over the next 14 days',
  task: 'multiclass',
  trigger: {
    kind: 'daily',
    hourUtc: 0,
    activeWithin: '14d',
    activityEventTypes: LEARNER_ACTIVITY,
    minHistory: '14d',
    minActiveDays: 3,
  },
  label: {
    kind: 'activityChange',
    horizon: '14d',
    activityEventTypes: LEARNER_ACTIVITY,
    classes: ['low', 'medium', 'high'],
    dropAtMost: 0.3,
    keepAtLeast: 0.7,
  },
  features: {
    views: [
      { view: 'learner_behaviour', version: 1, features: '*' },
      { view: 'learner_temporal', version: 1, features: '*' },
      { view: 'learner_content', version: 1, features: '*' },
      { view: 'learner_engagement', version: 1, features: '*' },
      { view: 'learner_activity', version: 1, features: '*' },
    ],
    request: ['send_day_of_week'],
  },
  params: { ...DEFAULT_TREE_PARAMS, num_boost_round: 600 },
  gates: {
    absolute: [{ metric: 'accuracy', op: '>', threshold: 0.75 }],
    fairness: { maxDemographicParityDifference: 0.1, maxEqualizedOddsDifference: 0.15 },
    champion: { metric: 'accuracy', minImprovement: 0.01 },
  },
  fairnessAttributes: DEFAULT_FAIRNESS_ATTRIBUTES,
  positiveClass: 'high',
  fallback: {
    description: 'the same rule on the last 14 days against the 14 before: high at most 0.3, low at least 0.7',
  },
});
