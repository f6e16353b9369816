import { DIFFICULTIES } from '@pulse/contracts';
import type { RequestFeature } from './request-feature.types';

/**
 * The content's difficulty level (beginner 1, intermediate 2, advanced 3, as the views map it): the trigger's `difficulty`
 * attribute when it carries one, else the `<difficulty>-…` prefix of its content id (the default use
 * case's content-id convention); NaN when neither says.
 */
export const contentDifficultyFeature: RequestFeature = {
  name: 'content_difficulty',
  description: "difficulty level of the trigger's content: 1 beginner, 2 intermediate, 3 advanced (NaN unknown)",
  columns: [''],
  reads: ['attributes.difficulty', 'content_id'],
  write(ctx, out, offset) {
    out[offset] = contentDifficulty(ctx.attributes?.['difficulty'], ctx.contentId);
  },
};

export function contentDifficulty(attribute: unknown, contentId: string | undefined): number {
  const named = typeof attribute === 'string' ? attribute : contentId?.split('-', 1)[0];
  const level = DIFFICULTIES.indexOf(named as (typeof DIFFICULTIES)[number]);
  return level < 0 ? NaN : level + 1;
}
