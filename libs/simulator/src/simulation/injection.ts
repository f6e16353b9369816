import type { EngagementEvent } from '@pulse/contracts';
import type { Prng } from '@pulse/core';
import { MinHeap } from './min-heap';
import type { InvalidEventKind } from './simulation-options';
import { DAY_MS } from './simulation-options';

export const INVALID_EVENT_KINDS: readonly InvalidEventKind[] = [
  'unknown_event_type',
  'missing_attribute',
  'wrong_type_attribute',
  'out_of_range_attribute',
  'unknown_attribute',
  'missing_entity_id',
  'future_event_time',
];

/**
 * A deliberately bad copy of `event` (new event_id). Every defect survives both wire formats the same
 * way (protobuf and JSON), so a DLQ test gets the same reason whichever format the producer used.
 */
export function makeInvalidEvent(event: EngagementEvent, kind: InvalidEventKind): EngagementEvent {
  const base = { ...event, eventId: `${event.eventId}-bad` };
  switch (kind) {
    case 'unknown_event_type':
      return { ...base, eventType: 'lesson_teleported' };
    case 'missing_attribute':
      return { ...base, eventType: 'assessment_answered', attributes: { time_taken_seconds: 12 } };
    case 'wrong_type_attribute':
      return { ...base, eventType: 'assessment_answered', attributes: { is_correct: 'yes', time_taken_seconds: 12 } };
    case 'out_of_range_attribute':
      return {
        ...base,
        eventType: 'path_progress',
        attributes: { completion_percentage: 140, difficulty: 'beginner' },
      };
    case 'unknown_attribute':
      return { ...base, eventType: 'lesson_sent', attributes: { mood: 'sleepy' } };
    case 'missing_entity_id':
      return { ...base, entityId: '' };
    case 'future_event_time':
      return { ...base, eventTimeMs: event.eventTimeMs + 100 * 365 * DAY_MS };
  }
}

export interface InjectionOptions {
  readonly duplicateFraction: number;
  readonly lateFraction: number;
  readonly maxLatenessMs: number;
  readonly invalidFraction: number;
  readonly onInvalid?: (kind: InvalidEventKind, eventId: string) => void;
  /** Told each invalid event with the event time of the event it was made from (its place in the stream). */
  readonly onInvalidSource?: (bad: EngagementEvent, sourceTimeMs: number) => void;
}

export interface InjectionCounts {
  duplicates: number;
  late: number;
  invalid: number;
}

interface Held {
  readonly timeMs: number;
  readonly seq: number;
  readonly event: EngagementEvent;
}

/**
 * Turns an event-time-ordered stream into what a real producer fleet delivers: some events resent
 * (same event_id), some held back and delivered up to maxLatenessMs of event time late, and some
 * extra invalid ones. Uses its own PRNG stream so the underlying events never change.
 */
export function* injectFaults(
  source: Iterable<EngagementEvent>,
  options: InjectionOptions,
  rng: Prng,
  counts: InjectionCounts,
): Generator<EngagementEvent> {
  const held = new MinHeap<Held>();
  let seq = 0;
  const hold = (event: EngagementEvent, releaseMs: number) => held.push({ timeMs: releaseMs, seq: seq++, event });
  for (const event of source) {
    while ((held.peek()?.timeMs ?? Infinity) <= event.eventTimeMs) yield (held.pop() as Held).event;
    if (options.lateFraction > 0 && rng.bernoulli(options.lateFraction)) {
      counts.late++;
      hold(event, event.eventTimeMs + rng.uniform(0, options.maxLatenessMs));
    } else {
      yield event;
    }
    if (options.duplicateFraction > 0 && rng.bernoulli(options.duplicateFraction)) {
      counts.duplicates++;
      hold(event, event.eventTimeMs + rng.uniform(0, options.maxLatenessMs));
    }
    if (options.invalidFraction > 0 && rng.bernoulli(options.invalidFraction)) {
      const kind = rng.pick(INVALID_EVENT_KINDS);
      const bad = makeInvalidEvent(event, kind);
      counts.invalid++;
      options.onInvalid?.(kind, bad.eventId);
      options.onInvalidSource?.(bad, event.eventTimeMs);
      yield bad;
    }
  }
  while (held.size > 0) yield (held.pop() as Held).event;
}
