import type { EngagementEvent } from '@pulse/contracts';
import type { FeatureValues } from '../definition/feature-view.types';
import { emptyState, type EntityState } from './entity-state';
import { foldEvents } from './apply-events';
import { evaluate } from './evaluate';
import type { FeatureRegistry } from './feature-registry';

/**
 * The offline path: a fresh state with one entity's events of time ≤ asOfMs folded in (all of them
 * when asOfMs is omitted), through the same foldEvents as the online path. The events may come in
 * any order; they are sorted by (time, id) first, so none is too late.
 */
export function replayEvents(
  events: Iterable<EngagementEvent>,
  registry: FeatureRegistry,
  asOfMs = Infinity,
): EntityState {
  const selected: EngagementEvent[] = [];
  for (const e of events) if (e.eventTimeMs <= asOfMs) selected.push(e);
  selected.sort(byTimeThenId);
  const state = emptyState();
  foldEvents(state, selected, registry);
  return state;
}

/** Feature values as of asOfMs from one entity's raw events (the event log): replay, then evaluate. */
export function evaluateOffline(
  events: Iterable<EngagementEvent>,
  asOfMs: number,
  registry: FeatureRegistry,
  viewNames?: readonly string[],
): FeatureValues {
  return evaluate(replayEvents(events, registry, asOfMs), asOfMs, registry, viewNames);
}

export function byTimeThenId(a: EngagementEvent, b: EngagementEvent): number {
  return a.eventTimeMs - b.eventTimeMs || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

/**
 * One entity's events at a time from a stream grouped by entity (the event log's order), each yielded
 * once the next entity starts: only one history is held. An entity coming back after another is an
 * error, since whatever folds the histories would see only part of its events.
 */
export async function* entityHistories(
  events: AsyncIterable<EngagementEvent> | Iterable<EngagementEvent>,
): AsyncGenerator<{ readonly entityId: string; readonly events: EngagementEvent[] }> {
  const seen = new Set<string>();
  let current: { entityId: string; events: EngagementEvent[] } | undefined;
  for await (const e of events) {
    if (current === undefined || e.entityId !== current.entityId) {
      if (current !== undefined) yield current;
      if (seen.has(e.entityId))
        throw new RangeError(
          `event log is not grouped by entity: ${e.entityId} reappears after other entities (${e.entityId} came again; the log streams each entity's events together)`,
        );
      seen.add(e.entityId);
      current = { entityId: e.entityId, events: [] };
    }
    current.events.push(e);
  }
  if (current !== undefined) yield current;
}
