import type { FeatureRegistryOptions } from '../engine/feature-registry';
import { FeatureRegistry } from '../engine/feature-registry';
import { learnerActivityView } from './activity.view';
import { learnerBehaviourView } from './behaviour.view';
import { learnerChannelView } from './channel.view';
import { learnerContentView } from './content.view';
import { learnerEngagementView } from './engagement.view';
import { learnerTemporalView } from './temporal.view';

/** The default views of the learning-engagement use case. */
export const LEARNING_ENGAGEMENT_VIEWS = [
  learnerBehaviourView,
  learnerTemporalView,
  learnerContentView,
  learnerEngagementView,
  learnerChannelView,
  learnerActivityView,
] as const;

export function learningEngagementRegistry(options?: FeatureRegistryOptions): FeatureRegistry {
  return new FeatureRegistry(LEARNING_ENGAGEMENT_VIEWS, options);
}

export {
  learnerActivityView,
  learnerBehaviourView,
  learnerChannelView,
  learnerContentView,
  learnerEngagementView,
  learnerTemporalView,
};
export { LEARNER_INITIATED } from './activity.view';
