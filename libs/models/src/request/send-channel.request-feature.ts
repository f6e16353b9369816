import { CHANNELS } from '@pulse/contracts';
import type { RequestFeature } from './request-feature.types';

/** The trigger's channel, one-hot over the declared channels (all 0 when absent or unknown). */
export const sendChannelFeature: RequestFeature = {
  name: 'send_channel',
  description: "the trigger's channel (one 0/1 column per channel; all 0 when missing)",
  columns: CHANNELS.map((c) => `=${c}`),
  reads: ['channel'],
  write(ctx, out, offset) {
    for (let i = 0; i < CHANNELS.length; i++) out[offset + i] = ctx.channel === CHANNELS[i] ? 1 : 0;
  },
};
