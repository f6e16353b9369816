import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type {
  PartitionLag,
  RetryPolicy,
  SubscribeOptions,
  Subscription,
  SubscriptionOutcome,
  SubscriptionState,
} from '../bus.types';
import type { BusLogger } from '../bus-logger';
import {
  resolveMaxBatchSize,
  resolveMaxPendingBatches,
  resolveRetryPolicy,
  runBatch,
  runEffects,
  type DeliveryContext,
  type EffectsOutcome,
} from '../batch-runner';
import type { PartitionLog } from './partition-log';

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * A consumer group: committed offsets that outlive its members, the members, who owns which
 * partition, and which partition has a batch in flight (a partition moves to another member only
 * once its in-flight batch is done, as in Kafka where a rebalance waits for the batch in hand).
 */
export class InMemoryGroup {
  readonly committed = new Map<string, number>();
  readonly inFlight = new Map<string, InMemorySubscription>();
  private members: InMemorySubscription[] = [];
  private owned = new Map<InMemorySubscription, { topic: string; partition: number }[]>();

  constructor(
    readonly id: string,
    readonly partitionsOf: (topic: string) => PartitionLog[],
    readonly changed: () => void,
  ) {}

  join(member: InMemorySubscription): void {
    this.members.push(member);
    this.rebalance();
  }

  leave(member: InMemorySubscription): void {
    this.members = this.members.filter((m) => m !== member);
    for (const [key, owner] of this.inFlight) if (owner === member) this.inFlight.delete(key);
    this.rebalance();
  }

  assignmentOf(member: InMemorySubscription): { topic: string; partition: number }[] {
    return this.owned.get(member) ?? [];
  }

  /** Round robin over every partition of every subscribed topic, members in join order (like kafkajs). */
  private rebalance(): void {
    const owned = new Map<InMemorySubscription, { topic: string; partition: number }[]>(
      this.members.map((m) => [m, []]),
    );
    const topics = [...new Set(this.members.flatMap((m) => m.topics))].sort();
    let i = 0;
    for (const topic of topics) {
      const subscribers = this.members.filter((m) => m.topics.includes(topic));
      for (let partition = 0; partition < this.partitionsOf(topic).length; partition++) {
        owned.get(subscribers[i++ % subscribers.length])!.push({ topic, partition });
      }
    }
    this.owned = owned;
    this.changed();
  }
}

export class InMemorySubscription implements Subscription {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly done: Promise<SubscriptionOutcome>;
  private _state: SubscriptionState = 'running';
  private readonly killSignal = new AbortController();
  private readonly interrupt = new AbortController();
  private settle!: (outcome: SubscriptionOutcome) => void;
  private readonly maxBatchSize: number;
  private readonly retry: Required<RetryPolicy>;
  private cursor = 0;
  private wakeUp: (() => void) | null = null;

  constructor(
    private readonly group: InMemoryGroup,
    private readonly options: SubscribeOptions,
    private readonly logger: BusLogger,
    private readonly onNextChange: (wake: () => void) => () => void,
  ) {
    this.groupId = options.groupId;
    this.topics = [...options.topics];
    this.maxBatchSize = resolveMaxBatchSize(options.maxBatchSize);
    // Validated alike on both buses; this one finishes a batch's effects before the next batch.
    resolveMaxPendingBatches(options.maxPendingBatches);
    this.retry = resolveRetryPolicy(options.retry);
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  get state(): SubscriptionState {
    return this._state;
  }

  /** Killed or failed: whatever the handler did, nothing more may be committed. */
  private ended(): boolean {
    return this._state === 'killed' || this._state === 'failed';
  }

  start(): void {
    this.group.join(this);
    void this.loop();
  }

  async stop(): Promise<void> {
    if (this._state === 'running') {
      this._state = 'stopping';
      this.interrupt.abort();
      this.wakeUp?.();
    }
    await this.done;
  }

  async kill(): Promise<void> {
    if (this._state === 'running' || this._state === 'stopping') this.finish({ state: 'killed' });
    await this.done;
  }

  assignment(): Record<string, number[]> {
    const result: Record<string, number[]> = {};
    for (const { topic, partition } of this.group.assignmentOf(this)) (result[topic] ??= []).push(partition);
    return result;
  }

  lag(): PartitionLag[] {
    return this.group.assignmentOf(this).map(({ topic, partition }) => {
      const log = this.group.partitionsOf(topic)[partition];
      const committed = this.positionOf(topic, partition, log);
      return {
        topic,
        partition,
        committedOffset: String(committed),
        highWatermark: String(log.endOffset),
        lag: log.endOffset - committed,
      };
    });
  }

  private finish(outcome: SubscriptionOutcome): void {
    if (this._state === 'stopped' || this._state === 'killed' || this._state === 'failed') return;
    this._state = outcome.state;
    if (outcome.state !== 'stopped') this.killSignal.abort();
    this.interrupt.abort();
    this.group.leave(this);
    this.wakeUp?.();
    if (outcome.state === 'failed') {
      this.logger.log('error', 'subscription failed on a non-retriable handler error', {
        groupId: this.groupId,
        error: String(outcome.error),
      });
      this.options.onError?.(outcome.error);
    }
    this.settle(outcome);
  }

  /** Next offset to consume: the group's commit, or where a group without one starts. */
  private positionOf(topic: string, partition: number, log: PartitionLog): number {
    const key = tpKey(topic, partition);
    let position = this.group.committed.get(key);
    if (position === undefined) {
      position = this.options.fromBeginning ? log.startOffset : log.endOffset;
      this.group.committed.set(key, position);
    }
    return Math.max(position, log.startOffset);
  }

  /** An owned partition with messages past its commit and no batch in flight, taken in turn. */
  private nextWork(): { topic: string; partition: number; log: PartitionLog; from: number } | null {
    const owned = this.group.assignmentOf(this);
    for (let n = 0; n < owned.length; n++) {
      const { topic, partition } = owned[(this.cursor + n) % owned.length];
      if (this.group.inFlight.has(tpKey(topic, partition))) continue;
      const log = this.group.partitionsOf(topic)[partition];
      const from = this.positionOf(topic, partition, log);
      if (from < log.endOffset) {
        this.cursor = (this.cursor + n + 1) % owned.length;
        return { topic, partition, log, from };
      }
    }
    return null;
  }

  private async loop(): Promise<void> {
    while (this._state === 'running') {
      const work = this.nextWork();
      if (!work) {
        await new Promise<void>((resolve) => {
          const cancel = this.onNextChange(() => {
            this.wakeUp = null;
            resolve();
          });
          this.wakeUp = () => {
            cancel();
            this.wakeUp = null;
            resolve();
          };
        });
        continue;
      }
      const key = tpKey(work.topic, work.partition);
      const batch = work.log.read(work.from, this.maxBatchSize);
      this.group.inFlight.set(key, this);
      const ctx: DeliveryContext = {
        topic: work.topic,
        partition: work.partition,
        signal: this.killSignal.signal,
        heartbeat: async () => undefined,
      };
      const started = performance.now();
      const runOptions = { retry: this.retry, interrupt: this.interrupt.signal, logger: this.logger };
      const handled = await runBatch(this.options.handler, batch, ctx, runOptions);
      const outcome: EffectsOutcome =
        handled.kind === 'done' ? await runEffects(handled.effects, ctx, runOptions) : handled;
      if (this.ended()) return;
      if (this.group.inFlight.get(key) === this) this.group.inFlight.delete(key);
      if (outcome.kind === 'failed') {
        this.finish({ state: 'failed', error: outcome.error });
        return;
      }
      if (outcome.kind === 'done') {
        const next = Number(batch[batch.length - 1].offset) + 1;
        this.group.committed.set(key, next);
        this.options.onBatch?.({
          topic: work.topic,
          partition: work.partition,
          size: batch.length,
          durationMs: performance.now() - started,
          lag: work.log.endOffset - next,
        });
      }
      this.group.changed();
      // Yield to the event loop between batches: a consumer that always has work must not starve others.
      await nextMacrotask();
    }
    if (this._state === 'stopping') this.finish({ state: 'stopped' });
  }
}
