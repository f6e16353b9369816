import { DAY_MS, parseDuration } from '@pulse/features';
import type { LabelSpec } from '../spec/model-spec.types';
import type { LabelKind } from './label.types';

type ActivityChange = Extract<LabelSpec, { kind: 'activityChange' }>;

/** Distinct UTC days with an event of `types` in (from, to]. */
export function activeDays(
  events: readonly { eventType: string; eventTimeMs: number }[],
  types: ReadonlySet<string>,
  from: number,
  to: number,
): number {
  const days = new Set<number>();
  for (const e of events) {
    if (e.eventTimeMs > from && e.eventTimeMs <= to && types.has(e.eventType))
      days.add(Math.floor(e.eventTimeMs / DAY_MS));
  }
  return days.size;
}

/**
 * Three classes from active days in the next horizon against the previous one: classes[2] when the
 * ratio is at most dropAtMost, classes[0] when at least keepAtLeast, classes[1] between. An entity
 * without activity in the previous horizon has no ratio: such points are not examples (the daily
 * trigger only makes points for recently active entities), so they are censored here too.
 */
export const activityChangeLabel: LabelKind<ActivityChange> = {
  kind: 'activityChange',
  validate(spec) {
    if (!Array.isArray(spec.classes) || spec.classes.length !== 3 || new Set(spec.classes).size !== 3)
      return 'classes must name three distinct classes (e.g. low, medium, high)';
    if (!Array.isArray(spec.activityEventTypes) || spec.activityEventTypes.length === 0)
      return 'activityEventTypes must list at least one event type';
    if (!(spec.dropAtMost >= 0 && spec.dropAtMost < spec.keepAtLeast))
      return `dropAtMost (${spec.dropAtMost}) must be ≥ 0 and below keepAtLeast (${spec.keepAtLeast})`;
    return null;
  },
  classes: (spec) => spec.classes,
  outcome(spec, point, events, watermarkMs) {
    const h = parseDuration(spec.horizon) ?? NaN;
    const t = point.timeMs;
    if (t + h > watermarkMs) return 'censored';
    const types = new Set(spec.activityEventTypes);
    const before = activeDays(events, types, t - h, t);
    if (before === 0) return 'censored';
    const ratio = activeDays(events, types, t, t + h) / before;
    if (ratio <= spec.dropAtMost) return 2;
    return ratio >= spec.keepAtLeast ? 0 : 1;
  },
};
