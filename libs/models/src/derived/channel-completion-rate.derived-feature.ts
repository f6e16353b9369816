import { CHANNELS } from '@pulse/contracts';
import { numberOrNaN, type DerivedFeature } from './derived-feature.types';

/** The learner's completion rate on the trigger's channel (lessons completed / sent there). */
export const channelCompletionRateFeature: DerivedFeature = {
  name: 'channel_completion_rate',
  description: "the learner's lesson completion rate on the trigger's channel (NaN before any send there)",
  requires: CHANNELS.map((c) => `learner_channel.completion_rate_${c}`),
  reads: ['channel'],
  compute(view, ctx) {
    if (!ctx.channel || !CHANNELS.includes(ctx.channel as (typeof CHANNELS)[number])) return NaN;
    return numberOrNaN(view(`learner_channel.completion_rate_${ctx.channel}`));
  },
};
