import type { EngagementEvent } from '@pulse/contracts';
import { classifyEvents, foldEntityEvents, Verdict } from '../engine/apply-events';
import { emptyState, type EntityState } from '../engine/entity-state';
import { stateIsCurrent, type FeatureRegistry } from '../engine/feature-registry';
import {
  encodeStoredStateTo,
  StateVersionConflictError,
  type OnlineStore,
  type StateUpdate,
  type StoredState,
} from './online-store';
import { StateCache } from './state-cache';
import { ByteSinkPool, type ByteSink } from '@pulse/core';

export interface FoldBatchOptions {
  /** Attempts before a version conflict is given up (and thrown, retriable). Default 5. */
  readonly maxAttempts?: number;
  /**
   * Called with the events that are not too late (applied or duplicates) and those that are — the
   * place to append to the event log, so that too-late events (which the state does not take) stay
   * out of the log the offline path replays. It is called once the batch is folded (so a fold that
   * throws logs nothing; what goes where was decided before the fold, by classifyEvents, whose
   * verdicts the fold follows), and the states are written only once it resolved. So the log holds
   * every event a state took, whatever is killed when: a redelivered event the state forgot (older
   * than its dedup memory) is found in the log, and one logged but not in the state is applied then,
   * by the same verdict (the state is as it was). It runs again on a retry, so make it idempotent;
   * an entity whose write lost a compare-and-set starts the retry from loadMissing (the log), which
   * holds what the earlier attempt logged.
   * `duplicates` are those of `accepted` the state already has, at the same time (the log most likely
   * has them too); a known id at another time (a re-send with other content) is in neither list.
   * It may answer with events of `accepted` the log refused (e.g. their id is logged at another
   * time): the batch is folded again without them, and they are reported in FoldBatchResult.refused.
   */
  readonly beforePut?: (
    accepted: readonly EngagementEvent[],
    tooLate: readonly EngagementEvent[],
    duplicates: readonly EngagementEvent[],
  ) => Promise<BeforePutResult | void>;
  /**
   * Supplies the starting state of entities the store has none for (new, or expired by TTL) or whose
   * stored state was built under other view definitions (see stateIsCurrent) — e.g. rebuilt by
   * replayEvents from the event log; an entity it leaves out keeps what the store has. Default: an
   * empty state for the first, and for the second the changed views restart from empty (reported in
   * initializedViews).
   */
  readonly loadMissing?: (entityIds: readonly string[]) => Promise<Map<string, EntityState>>;
  /**
   * Where the states this function wrote are kept decoded for the next batch (see StateCache): by
   * default one cache per store, shared by every call with that store; false: always read the store.
   */
  readonly stateCache?: StateCache | false;
}

const defaultCaches = new WeakMap<OnlineStore, StateCache>();

const sinks = new ByteSinkPool(1 << 20);

function cacheFor(store: OnlineStore, option: StateCache | false | undefined): StateCache | undefined {
  if (option === false) return undefined;
  if (option) return option;
  let cache = defaultCaches.get(store);
  if (!cache) defaultCaches.set(store, (cache = new StateCache()));
  return cache;
}

export interface BeforePutResult {
  /** Events the log did not take: not applied to any state. */
  readonly refused?: readonly EngagementEvent[];
}

export interface FoldBatchResult {
  readonly events: number;
  readonly entities: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly tooLate: readonly EngagementEvent[];
  /** States written (entities where something was applied, and rebuilt states). */
  readonly written: number;
  /** Of those, states that started from loadMissing (rebuilt from the log). */
  readonly rebuilt: number;
  readonly attempts: number;
  /** Entities whose state for a view (name@version) restarted although they had history. */
  readonly initializedViews: readonly { entityId: string; views: readonly string[] }[];
  /** Events beforePut refused: left out of the fold. */
  readonly refused: readonly EngagementEvent[];
}

/**
 * One batch of events (any entities, any order) into the online store: group by entity, read the
 * states (one round trip; the states this function wrote last are taken from its cache instead), fold,
 * write back with compare-and-set (one round trip), and redo the whole batch if another writer got
 * there first.
 */
export async function foldBatchIntoStore(
  store: OnlineStore,
  events: readonly EngagementEvent[],
  registry: FeatureRegistry,
  options: FoldBatchOptions = {},
): Promise<FoldBatchResult> {
  // Each written state is encoded as soon as it is folded, while it is still in the CPU cache (once
  // the whole batch was folded, encoding read most of it back from memory): the store writes these bytes.
  const sink = sinks.take();
  try {
    return await foldAttempts(store, events, registry, options, sink);
  } finally {
    // Every put has settled by now: nothing refers to the sink's bytes any more.
    sinks.give(sink);
  }
}

function groupByEntity(events: readonly EngagementEvent[]): Map<string, EngagementEvent[]> {
  const byEntity = new Map<string, EngagementEvent[]>();
  for (const e of events) {
    const list = byEntity.get(e.entityId);
    if (list) list.push(e);
    else byEntity.set(e.entityId, [e]);
  }
  return byEntity;
}

async function foldAttempts(
  store: OnlineStore,
  allEvents: readonly EngagementEvent[],
  registry: FeatureRegistry,
  options: FoldBatchOptions,
  sink: ByteSink,
): Promise<FoldBatchResult> {
  const maxAttempts = options.maxAttempts ?? 5;
  const cache = cacheFor(store, options.stateCache);
  let events = allEvents;
  let byEntity = groupByEntity(events);
  let ids = [...byEntity.keys()];
  const refused = new Set<EngagementEvent>();
  // Entities another writer changed under an earlier attempt: that attempt may have logged events
  // its state then lost, so they start from the log (which holds them) rather than the store.
  const contested = new Set<string>();

  for (let attempt = 1; ;) {
    const stored = await readStates(store, cache, ids);
    // New or expired entities, states built under other view definitions, contested ones: from the log.
    const rebuild = options.loadMissing
      ? ids.filter((id) => contested.has(id) || !isCurrent(stored.get(id), registry))
      : [];
    const loaded = rebuild.length > 0 ? await options.loadMissing!(rebuild) : undefined;

    const states: EntityState[] = [];
    for (const id of ids) states.push(loaded?.get(id) ?? stored.get(id)?.state ?? emptyState());

    // What the fold will do with each event is decided first, on the states as they are (the fold
    // follows these verdicts): which events the log gets, which are too late, which are duplicates.
    const verdicts = new Uint8Array(events.length);
    let late = 0;
    let at = 0;
    let i = 0;
    for (const list of byEntity.values()) {
      late += classifyEvents(states[i++], list, registry, verdicts, at);
      at += list.length;
    }
    // What beforePut is given: the events the log gets, the too-late ones and the exact duplicates.
    let accepted: readonly EngagementEvent[] = events;
    const lateForLog: EngagementEvent[] = [];
    const duplicatesForLog: EngagementEvent[] = [];
    if (options.beforePut) {
      if (late > 0 || verdicts.includes(Verdict.duplicate)) {
        const kept: EngagementEvent[] = [];
        at = 0;
        i = 0;
        for (const list of byEntity.values()) {
          const state = states[i++];
          for (let k = 0; k < list.length; k++) {
            const verdict = verdicts[at + k];
            const e = list[k];
            if (verdict === Verdict.tooLate) lateForLog.push(e);
            else if (verdict === Verdict.apply) kept.push(e);
            else if (appliedTime(state, list, verdicts, at, k) === e.eventTimeMs) {
              kept.push(e);
              duplicatesForLog.push(e);
            }
            // A duplicate id at another time is a re-send with different content: the state kept the
            // first version, so the log must not get this one (the offline replay would count it).
          }
          at += list.length;
        }
        accepted = kept;
      }
    }

    sink.pos = 0;
    const updates = new Map<string, StateUpdate>();
    const tooLate: EngagementEvent[] = [];
    const initializedViews: { entityId: string; views: string[] }[] = [];
    let applied = 0;
    let duplicates = 0;
    i = 0;
    at = 0;
    for (const [id, list] of byEntity) {
      const s = stored.get(id);
      const state = states[i++];
      const r = foldEntityEvents(state, list, registry, verdicts, at);
      at += list.length;
      applied += r.applied;
      duplicates += r.duplicates;
      for (const e of r.tooLate) tooLate.push(e);
      if (r.initializedViews.length > 0) initializedViews.push({ entityId: id, views: r.initializedViews });
      // A rebuilt state is written even if nothing was applied: otherwise the entity stays stale and
      // its next batch streams its history from the log again.
      if (r.applied > 0 || loaded?.has(id) === true) {
        const expectedVersion = s?.version ?? 0;
        const start = sink.pos;
        encodeStoredStateTo(sink, state, expectedVersion + 1);
        // A view of the bytes where they are now: should the sink move to a bigger buffer, this one stays as it is.
        updates.set(id, { state, expectedVersion, value: sink.buf.subarray(start, sink.pos) });
      }
    }

    // The log after the fold (a fold that throws logs nothing) and before the states: a state must
    // never hold an event the log lacks. On failure the states taken from the cache (and folded) are
    // dropped: the retry reads the store.
    const logged = options.beforePut ? await options.beforePut(accepted, lateForLog, duplicatesForLog) : undefined;
    const refusedNow = logged?.refused ?? [];
    if (refusedNow.length > 0) {
      // Folded again without them (each round refuses at least one more event, so this ends).
      for (const e of refusedNow) refused.add(e);
      events = allEvents.filter((e) => !refused.has(e));
      byEntity = groupByEntity(events);
      ids = [...byEntity.keys()];
      continue;
    }
    try {
      await store.putStates(updates);
    } catch (err) {
      if (err instanceof StateVersionConflictError && attempt < maxAttempts) {
        for (const id of err.entityIds) contested.add(id);
        attempt++;
        continue;
      }
      throw err;
    }
    // Only written states are kept (a state nothing was applied to may still differ from the stored one: a view restarted).
    if (cache) for (const [id, u] of updates) cache.put(id, u.state, u.expectedVersion + 1);
    const rebuilt = loaded === undefined ? 0 : ids.filter((id) => loaded.has(id)).length;
    return {
      events: allEvents.length,
      entities: ids.length,
      applied,
      duplicates,
      tooLate,
      written: updates.size,
      rebuilt,
      attempts: attempt,
      initializedViews,
      refused: [...refused],
    };
  }
}

/** The time at which the state, or an earlier event of the list, applied the id of list[k] (a duplicate). */
function appliedTime(
  state: EntityState,
  list: readonly EngagementEvent[],
  verdicts: Uint8Array,
  at: number,
  k: number,
): number | undefined {
  const id = list[k].eventId;
  const known = state.d.get(id);
  if (known !== undefined) return known;
  for (let j = 0; j < k; j++)
    if (verdicts[at + j] === Verdict.apply && list[j].eventId === id) return list[j].eventTimeMs;
  return undefined;
}

/** The entities' states: from the cache when there, the rest from the store. */
async function readStates(
  store: OnlineStore,
  cache: StateCache | undefined,
  ids: readonly string[],
): Promise<Map<string, StoredState>> {
  if (!cache) return store.getStates(ids);
  const taken = new Map<string, StoredState>();
  const rest: string[] = [];
  for (const id of ids) {
    const hit = cache.take(id);
    if (hit) taken.set(id, hit);
    else rest.push(id);
  }
  if (rest.length === 0) return taken;
  const stored = await store.getStates(rest);
  for (const [id, s] of taken) stored.set(id, s);
  return stored;
}

/** A stored state that can be folded into as it is: there, and built under the registry's views. */
function isCurrent(s: StoredState | undefined, registry: FeatureRegistry): boolean {
  return s !== undefined && stateIsCurrent(s.state, registry);
}
