import type Redis from 'ioredis';
import { LruMap } from '@pulse/core';

/**
 * A local copy of the online states' versions, kept current by the messages every write publishes
 * (RedisOnlineStore's compare-and-set script publishes each batch's new versions, deletes publish 0),
 * so a read can check its cached states without a Redis round trip. Redis stays the source of truth:
 * an entity the copy does not know is probed there, and the copy is dropped whenever the
 * subscription is interrupted (messages may have been missed), until it is back.
 *
 * Freshness: another instance's write is seen once its message arrives (the same instant as its
 * compare-and-set for practical purposes, but not atomically with it); this instance's own writes
 * are noted synchronously, so it always reads its own writes.
 */
export class VersionWatch {
  private readonly known: LruMap<string, { version: number; seenAt: number }>;
  private live = false;
  private closed = false;

  /**
   * @param sub a connection of its own (it is put in subscriber mode), owned by the watch
   * @param channel where the writers publish
   * @param ttlMs the states' time to live (0 = none): an entry older than that may describe an expired state, so it counts as unknown
   * @param maxEntries bound on the copy; the least recently written entities are forgotten first
   */
  constructor(
    private readonly sub: Redis,
    private readonly channel: string,
    private readonly ttlMs: number,
    private readonly maxEntries = 1_000_000,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    this.known = new LruMap(maxEntries);
    sub.on('message', (ch: string, payload: string) => {
      if (ch === this.channel && this.live) this.apply(payload);
    });
    // Messages sent while disconnected are lost: forget everything until subscribed again.
    const drop = () => this.reset();
    sub.on('close', drop);
    sub.on('reconnecting', drop);
    sub.on('ready', () => void this.subscribe());
  }

  /** Subscribes; resolves once the copy is live (or stays off if Redis refuses, reads then probe Redis). */
  async start(): Promise<void> {
    await this.subscribe();
  }

  /** Whether the copy can answer (subscribed, nothing missed since). */
  get isLive(): boolean {
    return this.live;
  }

  /**
   * The version this copy knows for an entity (0 = known absent), or undefined (ask Redis). `nowMs`:
   * the clock, read once by a caller looking up many entities.
   */
  version(entityId: string, nowMs: number = this.now()): number | undefined {
    if (!this.live) return undefined;
    const e = this.known.get(entityId);
    if (e === undefined) return undefined;
    if (this.ttlMs > 0 && nowMs - e.seenAt >= this.ttlMs - 1000) return undefined;
    return e.version;
  }

  /** A write's outcome, as its own message will say (this instance's writes, noted at once). */
  note(entityId: string, version: number): void {
    if (!this.live) return;
    this.set(entityId, version, this.now());
  }

  /** note() for a batch's writes, each at its expected version + 1 (one clock reading for all). */
  noteWritten(written: ReadonlyMap<string, { readonly expectedVersion: number }>): void {
    if (!this.live) return;
    const now = this.now();
    for (const [id, w] of written) this.set(id, w.expectedVersion + 1, now);
  }

  /**
   * A version read from Redis by a probe: kept only if no message has said anything newer meanwhile
   * (a message always wins: the probe may have run before the write the message reports).
   */
  fill(entityId: string, version: number): void {
    if (!this.live || this.known.has(entityId)) return;
    this.set(entityId, version, this.now());
  }

  /** Forgets an entity (a write found Redis at another version than expected): the next read asks Redis. */
  forget(entityId: string): void {
    this.known.delete(entityId);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reset();
    await this.sub.quit().catch(() => this.sub.disconnect());
  }

  private async subscribe(): Promise<void> {
    if (this.closed) return;
    try {
      await this.sub.subscribe(this.channel);
      if (!this.closed) this.live = true;
    } catch {
      this.reset();
    }
  }

  private reset(): void {
    this.live = false;
    this.known.clear();
  }

  /** Payload: JSON [[entityId, version], ...] (see RedisOnlineStore). */
  private apply(payload: string): void {
    let pairs: unknown;
    try {
      pairs = JSON.parse(payload);
    } catch {
      return;
    }
    if (!Array.isArray(pairs)) return;
    const now = this.now();
    for (const p of pairs) {
      if (Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'number') this.set(p[0], p[1], now);
    }
  }

  private set(entityId: string, version: number, now: number): void {
    // set again, so the order is the order of last writes (the entry object itself is reused)
    const e = this.known.get(entityId);
    if (e === undefined) return this.known.set(entityId, { version, seenAt: now });
    e.version = version;
    e.seenAt = now;
    this.known.set(entityId, e);
  }
}
