import type { EngagementEvent } from '@pulse/contracts';
import { stateIsCurrent, type FeatureRegistry } from '../engine/feature-registry';
import type { EntityState } from '../engine/entity-state';
import { entityHistories, replayEvents } from '../engine/replay';
import { StateVersionConflictError, type OnlineStore, type StateUpdate, type StoredState } from './online-store';

export interface RebuildStatesOptions {
  /** The event log in (entity, event time, event id) order, as EventLogRepository.streamForEntities gives it. */
  readonly events: AsyncIterable<EngagementEvent> | Iterable<EngagementEvent>;
  readonly store: OnlineStore;
  /** The views the states must be built under (the serving service's). */
  readonly registry: FeatureRegistry;
  /** Entities read and written per round trip. Default 500. */
  readonly chunkEntities?: number;
  /** Attempts per chunk when a writer changes one of its states meanwhile. Default 5. */
  readonly maxAttempts?: number;
  /** Called after each chunk with the totals so far. */
  readonly onProgress?: (progress: RebuildStatesResult) => void;
}

export interface RebuildStatesResult {
  /** Entities with events in the log, seen so far. */
  readonly entities: number;
  /** Of those, with a stored state written under other view definitions. */
  readonly stale: number;
  /** Stale states replaced by their replay under the registry. */
  readonly rebuilt: number;
  /** Stale states another writer changed first, or still changing after maxAttempts (left to it). */
  readonly skipped: number;
}

/**
 * The backfill after a change of feature views: every stored state written under other definitions
 * (see stateIsCurrent) is replaced by the replay of its entity's events from the log. Ingest rebuilds
 * such a state on the entity's next batch anyway; this does it for the quiet ones, whose reads are
 * replays until then. Entities without a stored state (never seen, or expired) are left alone.
 *
 * Writes are compare-and-set on the version read: a state a running service changes meanwhile is
 * read again, and left to that service once current (or after maxAttempts). Run it once every copy of
 * the service runs the new views: a copy on the old views may have applied events whose log rows are
 * not written yet. It reads the whole log once, and every stored state of its entities; a rebuilt
 * state's TTL starts again, as after an event.
 */
export async function rebuildStaleStates(options: RebuildStatesOptions): Promise<RebuildStatesResult> {
  const chunkEntities = options.chunkEntities ?? 500;
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(chunkEntities) || chunkEntities < 1)
    throw new RangeError(`chunkEntities must be a positive integer, got ${chunkEntities}`);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  const totals = { entities: 0, stale: 0, rebuilt: 0, skipped: 0 };
  let chunk = new Map<string, EngagementEvent[]>();
  const flush = async () => {
    if (chunk.size === 0) return;
    await rebuildChunk(chunk, options.store, options.registry, maxAttempts, totals);
    chunk = new Map();
    options.onProgress?.({ ...totals });
  };
  for await (const { entityId, events } of entityHistories(options.events)) {
    chunk.set(entityId, events);
    totals.entities++;
    if (chunk.size >= chunkEntities) await flush();
  }
  await flush();
  return totals;
}

async function rebuildChunk(
  chunk: ReadonlyMap<string, EngagementEvent[]>,
  store: OnlineStore,
  registry: FeatureRegistry,
  maxAttempts: number,
  totals: { stale: number; rebuilt: number; skipped: number },
): Promise<void> {
  let stored: Map<string, StoredState> = await store.getStates([...chunk.keys()]);
  // Each stale entity replayed once: the replay depends on the log alone, not on the state it replaces.
  const replays = new Map<string, EntityState>();
  for (const [id, s] of stored)
    if (!stateIsCurrent(s.state, registry)) replays.set(id, replayEvents(chunk.get(id)!, registry));
  let written = 0;
  for (let attempt = 1; ; attempt++) {
    const updates = new Map<string, StateUpdate>();
    for (const [id, state] of replays) {
      const s = stored.get(id);
      // Gone (expired) or made current by a service meanwhile: left as it is.
      if (s !== undefined && !stateIsCurrent(s.state, registry)) updates.set(id, { state, expectedVersion: s.version });
    }
    if (updates.size === 0) break;
    try {
      await store.putStates(updates);
      written = updates.size;
      break;
    } catch (error) {
      if (!(error instanceof StateVersionConflictError)) throw error;
      // All or nothing per call: the states read again, those still stale written again; after the
      // last attempt, the ones still changing are left to their writers.
      if (attempt >= maxAttempts) break;
      stored = await store.getStates([...updates.keys()]);
    }
  }
  totals.stale += replays.size;
  totals.rebuilt += written;
  totals.skipped += replays.size - written;
}
