import type { RequestFeature } from './request-feature.types';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Hour of the trigger's event time, UTC, fractional (09:30 is 9.5). */
export const sendHourFeature: RequestFeature = {
  name: 'send_hour',
  description: 'UTC hour of day of the trigger, fractional (0 ≤ h < 24)',
  columns: [''],
  reads: ['event_time'],
  write(ctx, out, offset) {
    out[offset] = (((ctx.eventTimeMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  },
};
