import { CHANNELS } from '@pulse/contracts';
import { assertInRange } from '@pulse/core';
import type { DeliveryOutageDrift, DriftKindSpec } from './drift-options';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * A concept drift: from the day on, lessons sent on one channel (or any), within some UTC hours (or
 * any), are completed with their odds multiplied by `oddsRatio` — a provider's deliverability
 * collapses, or a workplace mutes notifications in the morning. Learners, their habits and the
 * platform's sends stay as they were; only what follows those sends changes, so a model keeps
 * ranking them as before until it learns from outcomes after the day.
 */
export const deliveryOutageDrift: DriftKindSpec<DeliveryOutageDrift> = {
  resolve(options, name, context) {
    const channel = options.channel;
    if (channel !== undefined && !CHANNELS.includes(channel))
      throw new RangeError(`${name}.channel must be one of ${CHANNELS.join(', ')}, got ${channel}`);
    const [fromHour, toHour] = options.hours ?? [0, 24];
    assertInRange(fromHour, `${name}.hours[0]`, 0, 24);
    assertInRange(toHour, `${name}.hours[1]`, 0, 24);
    if (!(fromHour < toHour))
      throw new RangeError(`${name}.hours must be [from, to) with from < to, got [${fromHour}, ${toHour}]`);
    const oddsRatio = options.oddsRatio ?? 0.2;
    assertInRange(oddsRatio, `${name}.oddsRatio`, 0, 1);
    const startMs = context.startTimeMs + options.day * DAY_MS;
    const affected = (sentMs: number, sentOn: string) => {
      const hour = (((sentMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
      return sentMs >= startMs && (channel === undefined || sentOn === channel) && hour >= fromHour && hour < toHour;
    };
    return {
      kind: options.kind,
      day: options.day,
      startMs,
      world: () => ({
        completionProbability: (p, sentMs, sentOn) => {
          if (!affected(sentMs, sentOn) || p <= 0 || p >= 1) return p;
          const odds = (p / (1 - p)) * oddsRatio;
          return odds / (1 + odds);
        },
      }),
    };
  },
};
