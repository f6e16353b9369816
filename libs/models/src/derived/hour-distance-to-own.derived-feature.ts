import { circularHourDistance } from './hour-distance.derived-feature';
import { numberOrNaN, type DerivedFeature } from './derived-feature.types';

const HOUR_MS = 3_600_000;

/** How far the trigger's hour is from the hour of the learner's own sessions, on the 24-hour circle. */
export const hourDistanceToOwnFeature: DerivedFeature = {
  name: 'hour_distance_to_own',
  description: "circular distance (0..12 h) between the trigger's UTC hour and the hour of the learner's own sessions",
  requires: ['learner_activity.own_hour'],
  reads: ['event_time'],
  compute(view, ctx) {
    const own = numberOrNaN(view('learner_activity.own_hour'));
    if (Number.isNaN(own)) return NaN;
    return circularHourDistance((((ctx.eventTimeMs / HOUR_MS) % 24) + 24) % 24, own + 0.5);
  },
};
