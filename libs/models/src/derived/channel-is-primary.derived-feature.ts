import type { DerivedFeature } from './derived-feature.types';

/** 1 when the trigger's channel is the learner's most used channel, 0 when not, NaN when either is unknown. */
export const channelIsPrimaryFeature: DerivedFeature = {
  name: 'channel_is_primary',
  description: "1 when the trigger's channel is the learner's primary (most used) channel",
  requires: ['learner_engagement.primary_channel'],
  reads: ['channel'],
  compute(view, ctx) {
    const primary = view('learner_engagement.primary_channel');
    if (typeof primary !== 'string' || !ctx.channel) return NaN;
    return primary === ctx.channel ? 1 : 0;
  },
};
