import { LruMap } from '@pulse/core';
import type { EntityState } from '../engine/entity-state';
import type { StoredState } from './online-store';

export interface StateCacheOptions {
  /** Entities kept (least recently written dropped first). Default 4096 (a decoded learner state is ≈ 8 kB). */
  readonly maxEntries?: number;
  /** An entry older than this is not used: bounds how long a stale entry can survive. Default 60 s. */
  readonly maxAgeMs?: number;
  /** Clock (epoch ms), for tests. */
  readonly now?: () => number;
}

interface Entry {
  readonly state: EntityState;
  readonly version: number;
  readonly at: number;
}

/**
 * The states foldBatchIntoStore last wrote (and readers last fetched), decoded, so that the next batch
 * touching the same entities skips reading and decoding them, and a reader that learnt the stored
 * version (OnlineStore.getVersions) skips fetching and decoding a state cached at that version. An entry is taken out while a batch folds it (two batches never
 * share a state object) and put back only once its write succeeded. It never needs to be exact: the
 * compare-and-set write still checks the version, so an entry made stale by another writer costs a
 * version conflict (the batch is retried from the store) and is dropped, never a lost update — except
 * if the entity's state was deleted (or expired) and rewritten up to the same version meanwhile, which
 * `maxAgeMs` bounds.
 */
export class StateCache {
  private readonly entries: LruMap<string, Entry>;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(options: StateCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 4096;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 0)
      throw new RangeError(`maxEntries must be a non-negative integer, got ${this.maxEntries}`);
    this.entries = new LruMap(this.maxEntries);
    if (!(this.maxAgeMs >= 0)) throw new RangeError(`maxAgeMs must be ≥ 0, got ${this.maxAgeMs}`);
    this.now = options.now ?? Date.now;
  }

  /** Removes and returns the entity's state, if cached and young enough. */
  take(entityId: string): StoredState | undefined {
    const e = this.entries.get(entityId);
    if (e === undefined) return undefined;
    this.entries.delete(entityId);
    if (this.now() - e.at > this.maxAgeMs) return undefined;
    return { state: e.state, version: e.version };
  }

  /**
   * The entity's state if cached at exactly `version` and young enough, left in place: for readers,
   * which must not modify it and must be done with it before they yield (a batch may take it then).
   */
  peek(entityId: string, version: number): EntityState | undefined {
    const e = this.entries.get(entityId);
    if (e === undefined || e.version !== version || this.now() - e.at > this.maxAgeMs) return undefined;
    return e.state;
  }

  /**
   * Caches a state a reader fetched from the store at `version`, unless a young entry at that version
   * or a newer one is already there (a reader's fetch may be older than what a batch just wrote).
   */
  offer(entityId: string, state: EntityState, version: number): void {
    const e = this.entries.get(entityId);
    if (e !== undefined && e.version >= version && this.now() - e.at <= this.maxAgeMs) return;
    this.put(entityId, state, version);
  }

  /** Caches a state as stored with `version` (the caller gives up the object). */
  put(entityId: string, state: EntityState, version: number): void {
    this.entries.set(entityId, { state, version, at: this.now() });
  }

  delete(entityIds: Iterable<string>): void {
    for (const id of entityIds) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}
