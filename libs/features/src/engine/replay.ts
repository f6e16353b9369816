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
export function replayEvents(events: Iterable<EngagementEvent>, registry: FeatureRegistry, asOfMs = Infinity): EntityState {
  const selected: EngagementEvent[] = [];
  for (const e of events) if (e.eventTimeMs <= asOfMs) selected.push(e);
  selected.sort(byTimeThenId);
  const state = emptyState();
  foldEvents(state, selected, registry);
  return state;
}

/** Feature values as of asOfMs from one entity's raw events (the event log): replay, then evaluate. */
export function evaluateOffline(events: Iterable<EngagementEvent>, asOfMs: number, registry: FeatureRegistry, viewNames?: readonly string[]): FeatureValues {
  return evaluate(replayEvents(events, registry, asOfMs), asOfMs, registry, viewNames);
}

export function byTimeThenId(a: EngagementEvent, b: EngagementEvent): number {
  return a.eventTimeMs - b.eventTimeMs || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}
