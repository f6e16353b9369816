import type { RequestFeature } from './request-feature.types';

/** Day of week of the trigger (0 = Sunday … 6 = Saturday, UTC) and whether it is a weekend. */
export const sendDayOfWeekFeature: RequestFeature = {
  name: 'send_day_of_week',
  description: 'UTC day of week of the trigger (0 = Sunday) and a 0/1 weekend flag',
  columns: ['', '_is_weekend'],
  reads: ['event_time'],
  write(ctx, out, offset) {
    const day = new Date(ctx.eventTimeMs).getUTCDay();
    out[offset] = day;
    out[offset + 1] = day === 0 || day === 6 ? 1 : 0;
  },
};
