import { CHANNELS } from '@pulse/contracts';
import { assertInRange, Prng } from '@pulse/core';
import type { ChannelPreferenceDrift, DriftKindSpec } from './drift-options';

export const channelPreferenceDrift: DriftKindSpec<ChannelPreferenceDrift> = {
  resolve(options, name, context) {
    const share = options.share ?? 1;
    assertInRange(share, `${name}.share`, 0, 1);
    const to = options.to ?? 'sms';
    if (!CHANNELS.includes(to)) throw new RangeError(`${name}.to must be one of ${CHANNELS.join(', ')}, got ${to}`);
    const startMs = context.startTimeMs + options.day * 86_400_000;
    return {
      kind: options.kind,
      day: options.day,
      startMs,
      world(learner) {
        // Its own stream per learner: who moves does not depend on anything else drawn.
        const moves = new Prng(
          `${context.seed}/drift/channel-preference@${options.day}/learner-${learner.index}`,
        ).bernoulli(share);
        if (!moves) return {};
        return { preferredChannel: (dayStartMs, current) => (dayStartMs >= startMs ? to : current) };
      },
    };
  },
};
