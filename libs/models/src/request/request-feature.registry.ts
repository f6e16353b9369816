import { contentDifficultyFeature } from './content-difficulty.request-feature';
import type { RequestFeature } from './request-feature.types';
import { sendChannelFeature } from './send-channel.request-feature';
import { sendDayOfWeekFeature } from './send-day-of-week.request-feature';
import { sendHourFeature } from './send-hour.request-feature';

/** Every request-time feature a model spec may name; adding one is one file plus a line here. */
export const REQUEST_FEATURES: Readonly<Record<string, RequestFeature>> = Object.fromEntries(
  [sendChannelFeature, sendHourFeature, sendDayOfWeekFeature, contentDifficultyFeature].map((f) => [f.name, f]),
);
