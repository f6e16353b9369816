import { numberOrNaN, type DerivedFeature } from './derived-feature.types';

const HOUR_MS = 3_600_000;

/** Circular distance 0..12 between hours of the day (23:00 and 01:00 are 2 apart). */
export function circularHourDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 24;
  return Math.min(d, 24 - d);
}

/** How far the trigger's hour is from the learner's most active hour, on the 24-hour circle. */
export const hourDistanceFeature: DerivedFeature = {
  name: 'hour_distance_to_active',
  description: "circular distance (0..12 h) between the trigger's UTC hour and the learner's most active hour",
  requires: ['learner_temporal.most_active_hour'],
  reads: ['event_time'],
  compute(view, ctx) {
    const active = numberOrNaN(view('learner_temporal.most_active_hour'));
    if (Number.isNaN(active)) return NaN;
    return circularHourDistance((((ctx.eventTimeMs / HOUR_MS) % 24) + 24) % 24, active + 0.5);
  },
};
