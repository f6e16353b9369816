import { contentDifficulty } from '../request/content-difficulty.request-feature';
import { numberOrNaN, type DerivedFeature } from './derived-feature.types';

/** The trigger content's difficulty minus the mean difficulty of the learner's paths (both 1..3). */
export const difficultyGapFeature: DerivedFeature = {
  name: 'difficulty_gap',
  description: "the content's difficulty (1..3) minus the mean difficulty of the learner's paths",
  requires: ['learner_content.avg_difficulty'],
  reads: ['attributes.difficulty', 'content_id'],
  compute(view, ctx) {
    return (
      contentDifficulty(ctx.attributes?.['difficulty'], ctx.contentId) -
      numberOrNaN(view('learner_content.avg_difficulty'))
    );
  },
};
