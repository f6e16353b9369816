import {
  checkTtl,
  decodeStoredState,
  DEFAULT_STATE_TTL_SECONDS,
  encodeStoredState,
  StateVersionConflictError,
  storedVersion,
  type OnlineStore,
  type StateUpdate,
  type StoredState,
} from './online-store';

export interface InMemoryOnlineStoreOptions {
  /** Seconds a state lives after its last write; 0 = forever. Default 90 days. */
  readonly ttlSeconds?: number;
  /** Clock (epoch ms), for tests. */
  readonly now?: () => number;
}

/**
 * The embedded-mode online store: same interface and semantics as RedisOnlineStore (versions,
 * all-or-nothing compare-and-set, TTL, stored form). States are kept encoded, as in Redis, so a caller that
 * modifies what it read cannot change what is stored.
 */
export class InMemoryOnlineStore implements OnlineStore {
  private readonly entries = new Map<string, { value: Buffer; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: InMemoryOnlineStoreOptions = {}) {
    const ttl = options.ttlSeconds ?? DEFAULT_STATE_TTL_SECONDS;
    checkTtl(ttl);
    this.ttlMs = ttl * 1000;
    this.now = options.now ?? Date.now;
  }

  async getStates(entityIds: readonly string[]): Promise<Map<string, StoredState>> {
    const out = new Map<string, StoredState>();
    for (const id of entityIds) {
      const value = this.live(id);
      const stored = value === undefined ? undefined : decodeStoredState(id, value);
      if (stored !== undefined) out.set(id, stored);
    }
    return out;
  }

  async getVersions(entityIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const id of entityIds) {
      const value = this.live(id);
      const version = value === undefined ? 0 : storedVersion(value);
      if (version !== 0) out.set(id, version);
    }
    return out;
  }

  async putStates(updates: ReadonlyMap<string, StateUpdate>): Promise<void> {
    const conflicts: string[] = [];
    for (const [id, u] of updates) {
      const value = this.live(id);
      const current = value === undefined ? 0 : storedVersion(value);
      if (current !== u.expectedVersion) conflicts.push(id);
    }
    if (conflicts.length > 0) throw new StateVersionConflictError(conflicts);
    const expiresAt = this.ttlMs > 0 ? this.now() + this.ttlMs : Infinity;
    for (const [id, u] of updates) {
      const value = u.value !== undefined ? Buffer.from(u.value) : encodeStoredState(u.state, u.expectedVersion + 1);
      this.entries.set(id, { value, expiresAt });
    }
  }

  async deleteStates(entityIds: readonly string[]): Promise<void> {
    for (const id of entityIds) this.entries.delete(id);
  }

  /** Milliseconds until the entity's state expires (Infinity without TTL), or undefined without state. */
  ttlRemainingMs(entityId: string): number | undefined {
    const e = this.entries.get(entityId);
    if (!e || this.live(entityId) === undefined) return undefined;
    return e.expiresAt - this.now();
  }

  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private live(id: string): Buffer | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return e.value;
  }
}
