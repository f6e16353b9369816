import { parseDuration } from '@pulse/features';
import type { LabelSpec } from '../spec/model-spec.types';
import { firstAfter, type LabelKind } from './label.types';

type EventWithin = Extract<LabelSpec, { kind: 'eventWithin' }>;

/**
 * Binary: 1 when an event of the listed types (matching the trigger on `matchOn`) follows the example
 * within the horizon — (t, t + horizon] — else 0; censored while t + horizon is past the watermark.
 */
export const eventWithinLabel: LabelKind<EventWithin> = {
  kind: 'eventWithin',
  validate(spec) {
    if (!Array.isArray(spec.eventTypes) || spec.eventTypes.length === 0)
      return 'eventTypes must list at least one event type';
    if (spec.matchOn?.some((f) => f !== 'contentId' && f !== 'channel'))
      return 'matchOn may hold contentId and channel only';
    return null;
  },
  classes: () => ['0', '1'],
  outcome(spec, point, events, watermarkMs) {
    const end = point.timeMs + (parseDuration(spec.horizon) ?? NaN);
    const types = new Set(spec.eventTypes);
    for (let i = firstAfter(events, point.timeMs); i < events.length && events[i].eventTimeMs <= end; i++) {
      const e = events[i];
      if (!types.has(e.eventType)) continue;
      if (spec.matchOn?.includes('contentId') && e.contentId !== point.trigger?.contentId) continue;
      if (spec.matchOn?.includes('channel') && e.channel !== point.trigger?.channel) continue;
      return 1;
    }
    return end > watermarkMs ? 'censored' : 0;
  },
};
