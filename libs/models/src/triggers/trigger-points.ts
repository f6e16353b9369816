import type { EngagementEvent } from '@pulse/contracts';
import { DAY_MS, HOUR_MS, parseDuration } from '@pulse/features';
import type { ExamplePoint, ModelSpec } from '../spec/model-spec.types';

/**
 * The points (entity, time, trigger) at which the spec makes examples for one entity, from its events
 * sorted by time: every distinct trigger event, or — for a daily trigger — each day's `hourUtc` up to
 * the watermark at which the entity had activity within `activeWithin`.
 */
export function triggerPoints(
  spec: ModelSpec,
  entityId: string,
  events: readonly EngagementEvent[],
  watermarkMs: number,
): ExamplePoint[] {
  const trigger = spec.trigger;
  if (trigger.kind === 'event') {
    const seen = new Set<string>();
    const points: ExamplePoint[] = [];
    for (const e of events) {
      if (e.eventType !== trigger.eventType || seen.has(e.eventId)) continue;
      seen.add(e.eventId);
      points.push({ entityId, timeMs: e.eventTimeMs, trigger: e });
    }
    return points;
  }
  const types = trigger.activityEventTypes ? new Set(trigger.activityEventTypes) : null;
  const active = events.filter((e) => !types || types.has(e.eventType)).map((e) => e.eventTimeMs);
  if (active.length === 0) return [];
  const within = parseDuration(trigger.activeWithin) ?? 0;
  const offset = (trigger.hourUtc ?? 0) * HOUR_MS;
  const firstMs = events.length > 0 ? events[0].eventTimeMs : Infinity;
  const minHistory = trigger.minHistory === undefined ? 0 : (parseDuration(trigger.minHistory) ?? 0);
  const points: ExamplePoint[] = [];
  const minDays = trigger.minActiveDays ?? 1;
  let next = 0;
  let first = 0;
  for (let t = Math.floor(active[0] / DAY_MS) * DAY_MS + DAY_MS + offset; t <= watermarkMs; t += DAY_MS) {
    while (next < active.length && active[next] <= t) next++;
    while (first < next && active[first] <= t - within) first++;
    if (first === next || t - firstMs < minHistory) continue;
    if (minDays <= 1 || distinctDays(active, first, next) >= minDays) points.push({ entityId, timeMs: t });
  }
  return points;
}

function distinctDays(times: readonly number[], from: number, to: number): number {
  let days = 0;
  let prev = NaN;
  for (let i = from; i < to; i++) {
    const d = Math.floor(times[i] / DAY_MS);
    if (d !== prev) days++;
    prev = d;
  }
  return days;
}
