import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka } from 'kafkajs';
import type { BatchContext, PartitionLag, RetryPolicy, SubscribeOptions, Subscription, SubscriptionOutcome, SubscriptionState } from '../bus.types';
import type { BusLogger } from '../bus-logger';
import { resolveMaxBatchSize, resolveRetryPolicy, runBatch } from '../batch-runner';
import { toBusMessage, toPulseError } from './kafka-support';

export interface KafkaConsumerSettings {
  consumerConfig: (groupId: string) => ConsumerConfig;
  heartbeatIntervalMs: number;
  partitionsConsumedConcurrently: number;
}

/**
 * One kafkajs consumer. Offsets are resolved and committed only after the handler resolved; a
 * kafkajs batch larger than maxBatchSize is handed over in slices, each committed on its own.
 */
export class KafkaSubscription implements Subscription {
  readonly groupId: string;
  readonly done: Promise<SubscriptionOutcome>;
  private readonly consumer: Consumer;
  private _state: SubscriptionState = 'running';
  private readonly killSignal = new AbortController();
  private readonly interrupt = new AbortController();
  private settle!: (outcome: SubscriptionOutcome) => void;
  private readonly maxBatchSize: number;
  private readonly retry: Required<RetryPolicy>;
  private assigned: Record<string, number[]> = {};
  private readonly lags = new Map<string, PartitionLag>();
  private shuttingDown: Promise<void> | null = null;

  constructor(kafka: Kafka, private readonly options: SubscribeOptions, private readonly settings: KafkaConsumerSettings, private readonly logger: BusLogger) {
    this.groupId = options.groupId;
    this.maxBatchSize = resolveMaxBatchSize(options.maxBatchSize);
    this.retry = resolveRetryPolicy(options.retry);
    this.done = new Promise((resolve) => { this.settle = resolve; });
    this.consumer = kafka.consumer(settings.consumerConfig(options.groupId));
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.assigned = Object.fromEntries(Object.entries(payload.memberAssignment).map(([t, ps]) => [t, [...ps].sort((a, b) => a - b)]));
      for (const [key, lag] of this.lags) if (!this.assigned[lag.topic]?.includes(lag.partition)) this.lags.delete(key);
    });
    this.consumer.on(CRASH, ({ payload }) => {
      // kafkajs restarts itself after retriable crashes; a crash it gives up on ends the subscription.
      if (!payload.restart && this._state === 'running') this.fail(toPulseError(payload.error, `Kafka consumer of group ${this.groupId} crashed`));
    });
  }

  get state(): SubscriptionState { return this._state; }

  /** Killed or failed: whatever the handler did, nothing more may be committed. */
  private ended(): boolean { return this._state === 'killed' || this._state === 'failed'; }

  async start(): Promise<void> {
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.fromBeginning ?? false });
      await this.consumer.run({
        autoCommit: true,
        // Commit on every commitOffsetsIfNecessary call, i.e. after every handled slice.
        autoCommitThreshold: 1,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.settings.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.eachBatch(payload),
      });
    } catch (error) {
      await this.consumer.disconnect().catch(() => undefined);
      const failure = toPulseError(error, `cannot start the Kafka consumer of group ${this.groupId}`);
      this._state = 'failed';
      this.settle({ state: 'failed', error: failure });
      throw failure;
    }
  }

  stop(): Promise<void> {
    if (this._state === 'running') {
      this._state = 'stopping';
      this.interrupt.abort();
      void this.shutdown({ state: 'stopped' });
    }
    return this.done.then(() => undefined);
  }

  kill(): Promise<void> {
    if (this._state === 'running' || this._state === 'stopping') {
      this._state = 'killed';
      this.killSignal.abort();
      this.interrupt.abort();
      void this.shutdown({ state: 'killed' });
    }
    return this.done.then(() => undefined);
  }

  assignment(): Record<string, number[]> {
    return Object.fromEntries(Object.entries(this.assigned).map(([t, ps]) => [t, [...ps]]));
  }

  lag(): PartitionLag[] {
    return [...this.lags.values()].map((l) => ({ ...l }));
  }

  private fail(error: unknown): void {
    this._state = 'failed';
    this.killSignal.abort();
    this.interrupt.abort();
    this.logger.log('error', 'subscription failed', { groupId: this.groupId, error: error instanceof Error ? error.message : String(error) });
    this.options.onError?.(error);
    // Not awaited: disconnect waits for the eachBatch call we may be inside of.
    void this.shutdown({ state: 'failed', error });
  }

  private shutdown(outcome: SubscriptionOutcome): Promise<void> {
    this.shuttingDown ??= (async () => {
      try {
        await this.consumer.disconnect();
      } catch (error) {
        this.logger.log('warn', 'error while disconnecting a consumer', { groupId: this.groupId, error: String(error) });
      }
      const final: SubscriptionOutcome = this._state === 'failed' && outcome.state !== 'failed' ? { state: 'failed', error: outcome.error } : outcome;
      if (this._state !== 'failed') this._state = final.state;
      this.settle(final);
    })();
    return this.shuttingDown;
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const highWatermark = Number(batch.highWatermark);
    for (let i = 0; i < batch.messages.length; i += this.maxBatchSize) {
      // Stopping finishes the slice in hand only; the rest is fetched again by whoever owns the partition next.
      if (this._state !== 'running' || !isRunning() || isStale()) return;
      const slice = batch.messages.slice(i, i + this.maxBatchSize);
      const messages = slice.map((m) => toBusMessage(topic, partition, m));
      const ctx: BatchContext = { topic, partition, signal: this.killSignal.signal, heartbeat: () => heartbeat().catch(() => undefined) };
      const started = performance.now();
      // A long handler (or a retry backoff) must not get this member evicted from its group.
      const keepAlive = setInterval(() => { heartbeat().catch(() => undefined); }, this.settings.heartbeatIntervalMs);
      let outcome;
      try {
        outcome = await runBatch(this.options.handler, messages, ctx, { retry: this.retry, interrupt: this.interrupt.signal, logger: this.logger });
      } finally {
        clearInterval(keepAlive);
      }
      if (outcome.kind === 'failed') {
        if (this._state === 'running' || this._state === 'stopping') this.fail(outcome.error);
        return;
      }
      if (outcome.kind === 'aborted' || this.ended()) return;
      const last = slice[slice.length - 1].offset;
      resolveOffset(last);
      // Commit errors (a rebalance took the partition) go back to kafkajs, which rejoins; the slice is redelivered.
      await commitOffsetsIfNecessary();
      const next = Number(last) + 1;
      const lag = Math.max(0, highWatermark - next);
      this.lags.set(`${topic}:${partition}`, { topic, partition, committedOffset: String(next), highWatermark: batch.highWatermark, lag });
      this.options.onBatch?.({ topic, partition, size: slice.length, durationMs: performance.now() - started, lag });
    }
  }
}
