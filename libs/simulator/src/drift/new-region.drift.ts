import { CHANNELS } from '@pulse/contracts';
import { assertInRange, assertInteger, assertNonEmptyString } from '@pulse/core';
import { logit, sigmoid } from '../model/behaviour';
import { drawLearner } from '../model/learner';
import type { DriftKindSpec, NewRegionDrift } from './drift-options';

/** slack, sms, email, web: the new region's learners mostly prefer sms. */
export const NEW_REGION_CHANNEL_WEIGHTS = [0.05, 0.5, 0.15, 0.3];
/** Added to logit(initial motivation): they start less motivated. */
export const NEW_REGION_MOTIVATION_SHIFT = -0.4;

export const newRegionDrift: DriftKindSpec<NewRegionDrift> = {
  resolve(options, name, context) {
    const region = options.region ?? 'latam';
    assertNonEmptyString(region, `${name}.region`);
    const count = options.learners ?? Math.ceil(context.learners / 2);
    assertInteger(count, `${name}.learners`, 1, 1_000_000);
    const left = context.live ? Infinity : context.days - options.day;
    const spread = options.joinSpreadDays ?? Math.min(7, left);
    assertInteger(spread, `${name}.joinSpreadDays`, 0, left === Infinity ? 3650 : left);
    const hourShift = options.hourShift ?? 6;
    assertInRange(hourShift, `${name}.hourShift`, -12, 12);
    return {
      kind: options.kind,
      day: options.day,
      startMs: context.startTimeMs + options.day * 86_400_000,
      newLearners: {
        count,
        label: `drift/new-region@${options.day}/${region}`,
        // The usual draws first, then the region's own: a learner's traits come from its stream alone.
        drawTraits(rng, index) {
          const base = drawLearner(rng, index, 0);
          const preferredChannel = rng.weighted(CHANNELS, NEW_REGION_CHANNEL_WEIGHTS);
          const joinDay = options.day + (spread > 0 ? Math.floor(rng.next() * spread) : 0);
          return {
            ...base,
            entityId: `learner-${region}-${String(index).padStart(6, '0')}`,
            initialMotivation: sigmoid(logit(base.initialMotivation) + NEW_REGION_MOTIVATION_SHIFT),
            preferredChannel,
            preferredHour: (((base.preferredHour + hourShift) % 24) + 24) % 24,
            joinDay,
            region,
          };
        },
      },
    };
  },
};
