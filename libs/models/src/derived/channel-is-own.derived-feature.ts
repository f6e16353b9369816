import type { DerivedFeature } from './derived-feature.types';

/** 1 when the trigger's channel is the one the learner starts their own sessions on, 0 when not, NaN when unknown. */
export const channelIsOwnFeature: DerivedFeature = {
  name: 'channel_is_own',
  description: "1 when the trigger's channel is the channel of most of the learner's own sessions",
  requires: ['learner_activity.own_channel'],
  reads: ['channel'],
  compute(view, ctx) {
    const own = view('learner_activity.own_channel');
    if (typeof own !== 'string' || !ctx.channel) return NaN;
    return own === ctx.channel ? 1 : 0;
  },
};
