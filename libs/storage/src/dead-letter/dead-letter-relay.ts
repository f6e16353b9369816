import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { BusMessage, MessageBus, OutgoingMessage, Publisher } from '@pulse/bus';
import { assertInteger, assertNonEmptyString, PulseError } from '@pulse/core';
import type { DeadLetterOutboxRepository, RelayLease } from './dead-letter-outbox.repository';

/** The header each relayed message carries: `<outbox id>:<row id>`. */
export const OUTBOX_HEADER = 'x-pulse-outbox';

/** What the relay needs of a bus: a publisher that does not resend, and reading its topic back. */
export type RelayBus = Pick<MessageBus, 'createPublisher' | 'fetchEndOffsets' | 'readRange'>;

/**
 * Where a test may stop a relay as a crash would: 'claimed' — the chunk's end offsets are recorded
 * and its rows in flight, nothing published; 'published' — the broker acked the chunk, nothing marked.
 */
export type RelayCrashPoint = 'claimed' | 'published';

export interface RecoveryReport {
  /** In-flight rows found in the topic, now marked published. */
  readonly landed: number;
  /** In-flight rows not found, pending again (published by the next chunk). */
  readonly requeued: number;
  /** Rows of this outbox seen more than once in the range read (should stay 0). */
  readonly seenTwice: number;
}

/** Metric hooks: called synchronously, must not throw. */
export interface DeadLetterRelayHooks {
  /** A chunk was acked by the broker and marked published. */
  onPublished?(count: number, byReason: Readonly<Record<string, number>>): void;
  /** A chunk left in flight (a crash, a failed publish or mark) was resolved by reading the topic back. */
  onRecovered?(report: RecoveryReport): void;
  /** This relay became the publisher for its topic (true) or stopped being it (false). */
  onLeadership?(leader: boolean): void;
  /** A cycle failed (it is retried with backoff, the chunk resolved first). */
  onError?(error: unknown): void;
}

export interface DeadLetterRelayOptions extends DeadLetterRelayHooks {
  /** The DLQ topic: the relay publishes the outbox rows whose topic this is. */
  readonly topic: string;
  /** Idle poll of the outbox (a write in this process wakes the relay at once). Default 150 ms. */
  readonly pollMs?: number;
  /**
   * How long a lease lasts unless renewed (renewed every fifth of it). Another relay takes over this
   * long after the holder died; the holder starts no publish in the last half of a lease it could not
   * renew. Default 5000 ms.
   */
  readonly leaseMs?: number;
  /** How often a relay without the lease tries to take it. Default min(1000, leaseMs / 4). */
  readonly acquireEveryMs?: number;
  /** Rows per publish. Default 500. */
  readonly chunkSize?: number;
  /** Published rows are deleted after this long (a batch redelivered later would be dead-lettered again). Default 7 days. */
  readonly retentionMs?: number;
  /** How often the holder deletes expired rows. Default 10 minutes. */
  readonly pruneEveryMs?: number;
  /** Longest read of the topic back. Default 60 s. */
  readonly readBackTimeoutMs?: number;
  /** Longest backoff after a failed cycle (from 100 ms, doubling). Default 5000 ms. */
  readonly maxBackoffMs?: number;
  /** Default `bus.createPublisher({ resend: false })`. */
  readonly publisher?: Publisher;
  /** Tests: called at each crash point of a cycle; throwing there after kill() is a crash. */
  readonly crashPoint?: (point: RelayCrashPoint) => void | Promise<void>;
}

class LeaseLost extends PulseError {
  constructor(what: string) {
    super(`dead-letter relay lost its lease (${what})`, { retriable: true });
  }
}

class Killed extends Error {}

/**
 * Publishes the dead-letter outbox's rows to the DLQ topic exactly once, without broker transactions.
 *
 * One relay per topic publishes at a time: it holds a lease row (renewed every fifth of `leaseMs`),
 * and every change it makes is fenced by the lease's epoch, which each acquisition increments. A cycle:
 *   1. read the topic's end offsets;
 *   2. in one statement, record them and take the oldest pending rows in flight;
 *   3. publish them, each with the header `x-pulse-outbox: <outbox id>:<row id>`, by a publisher that
 *      never resends (a failed publish may have landed in part, never twice);
 *   4. once acked, mark them published (clearing the offsets).
 * Anything that breaks a cycle after 2 — a crash, a failed publish, a failed mark, a lost lease —
 * leaves the rows in flight, and whoever holds the lease next (this relay after its backoff, or
 * another after taking over) first reads the topic back from the recorded offsets to its end: the
 * rows found there are marked published, the others go out again. Every message of the chunk was
 * sent after the offsets were recorded, so it is in that range; and the read starts only once no
 * send of the chunk can still be under way (this relay awaited its publish; another held the lease,
 * which it gave up or let run out, and a holder starts no publish in the last half of a lease it
 * could not renew). What this cannot cover: a holder stalled between that check and its send for
 * more than half a lease, or a produce request the client gave up on but the broker appended after
 * the read-back — either may write a row twice.
 */
export class DeadLetterRelay {
  readonly topic: string;
  readonly holderId: string;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly renewEveryMs: number;
  private readonly acquireEveryMs: number;
  private readonly chunkSize: number;
  private readonly retentionMs: number;
  private readonly pruneEveryMs: number;
  private readonly readBackTimeoutMs: number;
  private readonly maxBackoffMs: number;
  private readonly hooks: DeadLetterRelayHooks;
  private readonly crashPoint?: (point: RelayCrashPoint) => void | Promise<void>;
  private publisherInstance: Publisher | null;

  private lease: RelayLease | null = null;
  /** performance.now() after which this relay starts no publish under its lease. */
  private validUntil = 0;
  private leaseLost = false;
  private needsRecovery = true;
  private lastPrune = 0;
  private running = false;
  private killed = false;
  private loop: Promise<void> | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private renewalsOn = false;
  private renewing: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;

  constructor(
    private readonly repository: DeadLetterOutboxRepository,
    private readonly bus: RelayBus,
    options: DeadLetterRelayOptions,
  ) {
    assertNonEmptyString(options.topic, 'topic');
    this.topic = options.topic;
    // Unique per relay: a restarted process is another holder and waits for the old lease to run out.
    this.holderId = `${hostname()}/${process.pid}/${randomUUID()}`;
    this.pollMs = options.pollMs ?? 150;
    this.leaseMs = options.leaseMs ?? 5000;
    this.renewEveryMs = Math.max(1, Math.floor(this.leaseMs / 5));
    this.acquireEveryMs = options.acquireEveryMs ?? Math.min(1000, Math.floor(this.leaseMs / 4));
    this.chunkSize = options.chunkSize ?? 500;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600 * 1000;
    this.pruneEveryMs = options.pruneEveryMs ?? 10 * 60 * 1000;
    this.readBackTimeoutMs = options.readBackTimeoutMs ?? 60_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    assertInteger(this.pollMs, 'pollMs', 1);
    assertInteger(this.leaseMs, 'leaseMs', 100);
    assertInteger(this.acquireEveryMs, 'acquireEveryMs', 1);
    assertInteger(this.chunkSize, 'chunkSize', 1);
    assertInteger(this.retentionMs, 'retentionMs', 0);
    assertInteger(this.pruneEveryMs, 'pruneEveryMs', 1);
    assertInteger(this.readBackTimeoutMs, 'readBackTimeoutMs', 1);
    assertInteger(this.maxBackoffMs, 'maxBackoffMs', 1);
    this.hooks = {
      onPublished: options.onPublished,
      onRecovered: options.onRecovered,
      onLeadership: options.onLeadership,
      onError: options.onError,
    };
    this.crashPoint = options.crashPoint;
    this.publisherInstance = options.publisher ?? null;
  }

  /** Whether this relay holds the topic's lease now. */
  get isLeader(): boolean {
    return this.lease !== null;
  }

  /** Starts relaying in the background (waiting for the lease if another relay holds it). */
  start(): void {
    if (this.killed) throw new PulseError('a killed dead-letter relay cannot start again');
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Something was written: look at once rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Graceful: finishes the cycle under way, then gives the lease up so another relay takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = null;
    this.stopRenewing();
    await this.renewing;
    const lease = this.lease;
    if (lease && !this.killed) {
      this.setLeader(null);
      await this.repository.releaseLease(lease).catch((error) => this.hooks.onError?.(error));
    }
  }

  /**
   * Tests: stops as a crash would — no further statement, the lease left to run out, a chunk in
   * flight left in flight. May be called from a crash point (then throw there).
   */
  kill(): void {
    this.killed = true;
    this.running = false;
    this.stopRenewing();
    this.wake();
  }

  /** Settles when the relay's loop has ended (after stop() or kill()). */
  async done(): Promise<void> {
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (this.lease === null) {
          const requestedAt = performance.now();
          const lease = await this.repository.acquireLease(this.topic, this.holderId, this.leaseMs, randomUUID());
          this.alive();
          if (lease === null) {
            await this.sleep(this.acquireEveryMs);
            continue;
          }
          this.becomeLeader(lease, requestedAt);
        }
        if (this.needsRecovery) {
          await this.recover();
          this.needsRecovery = false;
        }
        const published = await this.publishChunk();
        failures = 0;
        if (published === 0) {
          await this.pruneIfDue();
          await this.sleep(this.pollMs);
        }
      } catch (error) {
        if (this.killed) return;
        if (error instanceof LeaseLost) {
          this.stepDown();
          continue;
        }
        this.needsRecovery = true;
        this.hooks.onError?.(error);
        await this.sleep(Math.min(this.maxBackoffMs, 100 * 2 ** Math.min(failures++, 16)));
      }
    }
  }

  /** One chunk: returns how many rows were published (0: none pending). */
  private async publishChunk(): Promise<number> {
    const lease = this.currentLease();
    if (!(await this.repository.hasPending(this.topic))) return 0;
    this.alive();
    const endOffsets = await this.bus.fetchEndOffsets(this.topic);
    this.alive();
    const claim = await this.repository.claim(this.currentLease(), endOffsets, this.chunkSize);
    this.alive();
    if (!claim.leased) throw new LeaseLost('claim');
    if (claim.inFlightLeft) {
      this.needsRecovery = true;
      return 0;
    }
    if (claim.rows.length === 0) return 0;
    // From here on the rows are in flight: any failure leaves them to the read-back.
    this.needsRecovery = true;
    await this.crash('claimed');
    this.currentLease();
    const byReason: Record<string, number> = {};
    const messages: OutgoingMessage[] = claim.rows.map((row) => {
      byReason[row.reason] = (byReason[row.reason] ?? 0) + 1;
      return {
        key: row.key,
        value: row.value,
        headers: { ...row.headers, [OUTBOX_HEADER]: `${lease.outboxId}:${row.id}` },
      };
    });
    await this.publisher().publish(this.topic, messages);
    this.alive();
    await this.crash('published');
    if (
      !(await this.repository.markPublished(
        lease,
        claim.rows.map((r) => r.id),
      ))
    )
      throw new LeaseLost('mark');
    this.alive();
    this.needsRecovery = false;
    this.hooks.onPublished?.(claim.rows.length, byReason);
    return claim.rows.length;
  }

  /**
   * Resolves a chunk left in flight: reads the topic from the offsets recorded before it went out to
   * the end, marks the rows found there published and puts the others back to pending.
   */
  private async recover(): Promise<void> {
    const lease = this.currentLease();
    const inFlight = await this.repository.inFlight(this.topic);
    this.alive();
    const seen = new Set<string>();
    let seenTwice = 0;
    if (inFlight.ids.length > 0) {
      const to = await this.bus.fetchEndOffsets(this.topic);
      this.alive();
      const prefix = `${lease.outboxId}:`;
      // Without recorded offsets (not written by this relay's claim) the whole topic is read.
      await this.bus.readRange(
        this.topic,
        inFlight.from ?? {},
        to,
        (messages: BusMessage[]) => {
          for (const m of messages) {
            const tag = m.headers[OUTBOX_HEADER];
            if (tag === undefined || !tag.startsWith(prefix)) continue;
            const id = tag.slice(prefix.length);
            if (seen.has(id)) seenTwice++;
            else seen.add(id);
          }
        },
        { timeoutMs: this.readBackTimeoutMs },
      );
      this.alive();
    }
    const landedIds = inFlight.ids.filter((id) => seen.has(id));
    const resolved = await this.repository.resolveInFlight(lease, landedIds);
    this.alive();
    if (resolved === null) throw new LeaseLost('recovery');
    if (inFlight.ids.length > 0) this.hooks.onRecovered?.({ ...resolved, seenTwice });
  }

  private async pruneIfDue(): Promise<void> {
    const now = performance.now();
    if (now - this.lastPrune < this.pruneEveryMs) return;
    this.lastPrune = now;
    while ((await this.repository.prune(this.topic, this.retentionMs)) > 0) this.alive();
  }

  private publisher(): Publisher {
    this.publisherInstance ??= this.bus.createPublisher({ resend: false });
    return this.publisherInstance;
  }

  private becomeLeader(lease: RelayLease, requestedAt: number): void {
    this.leaseLost = false;
    this.validUntil = requestedAt + this.leaseMs / 2;
    this.needsRecovery = true;
    this.setLeader(lease);
    this.scheduleRenewal();
  }

  private stepDown(): void {
    this.stopRenewing();
    this.setLeader(null);
  }

  private setLeader(lease: RelayLease | null): void {
    const was = this.lease !== null;
    this.lease = lease;
    if (was !== (lease !== null)) this.hooks.onLeadership?.(lease !== null);
  }

  /** The lease, if this relay may still act under it (not lost, not run into its last half unrenewed). */
  private currentLease(): RelayLease {
    this.alive();
    if (this.lease === null) throw new LeaseLost('not held');
    if (this.leaseLost) throw new LeaseLost('taken');
    if (performance.now() > this.validUntil) throw new LeaseLost('not renewed in time');
    return this.lease;
  }

  private scheduleRenewal(): void {
    if (this.renewTimer !== null) clearTimeout(this.renewTimer);
    this.renewalsOn = true;
    this.renewTimer = setTimeout(() => {
      this.renewTimer = null;
      this.renewing = this.renew().finally(() => {
        this.renewing = null;
        if (this.renewalsOn && this.lease !== null && !this.leaseLost) this.scheduleRenewal();
      });
    }, this.renewEveryMs);
  }

  private async renew(): Promise<void> {
    const lease = this.lease;
    if (lease === null) return;
    const requestedAt = performance.now();
    try {
      const held = await this.repository.renewLease(lease, this.leaseMs);
      if (this.killed || this.lease !== lease) return;
      if (held) this.validUntil = requestedAt + this.leaseMs / 2;
      else {
        this.leaseLost = true;
        this.wake();
      }
    } catch (error) {
      // Tried again at the next tick; past validUntil the loop steps down on its own.
      if (!this.killed) this.hooks.onError?.(error);
    }
  }

  private stopRenewing(): void {
    this.renewalsOn = false;
    if (this.renewTimer !== null) clearTimeout(this.renewTimer);
    this.renewTimer = null;
  }

  private async crash(point: RelayCrashPoint): Promise<void> {
    if (this.crashPoint) await this.crashPoint(point);
    this.alive();
  }

  private alive(): void {
    if (this.killed) throw new Killed();
  }

  /** Waits `ms`, or less if woken (a wake while no sleep runs cuts the next one short). */
  private sleep(ms: number): Promise<void> {
    if (this.woken || !this.running) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        if (this.wakeUp === wake) this.wakeUp = null;
        resolve();
      };
      const wake = () => {
        this.woken = false;
        finish();
      };
      const timer = setTimeout(finish, ms);
      this.wakeUp = wake;
    });
  }
}
