import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka } from 'kafkajs';
import type { PartitionLag, RetryPolicy, SubscribeOptions, Subscription, SubscriptionOutcome, SubscriptionState } from '../bus.types';
import type { BusLogger } from '../bus-logger';
import { resolveMaxBatchSize, resolveMaxPendingBatches, resolveRetryPolicy, runBatch, runEffects, type DeliveryContext, type EffectsOutcome } from '../batch-runner';
import { toBusMessage, toPulseError } from './kafka-support';

/** A handled slice whose effects (completeLater) are still running: committed once they and all before it are done. */
interface PendingSlice {
  readonly next: string;
  readonly size: number;
  readonly started: number;
  readonly highWatermark: number;
  outcome: EffectsOutcome | null;
}

interface PartitionPipeline {
  readonly topic: string;
  readonly partition: number;
  /** In offset order. */
  readonly slices: PendingSlice[];
  /** Commits of this partition, one after the other so a later offset is never overwritten by an earlier one. */
  commits: Promise<void>;
  /**
   * The latest batch's commit function: commits with the group generation kafkajs has now, once,
   * without kafkajs's retries (which could land after a rebalance, for a partition owned by another member).
   */
  commit: (offset: string) => Promise<void>;
}

export interface KafkaConsumerSettings {
  consumerConfig: (groupId: string) => ConsumerConfig;
  heartbeatIntervalMs: number;
  partitionsConsumedConcurrently: number;
}

/**
 * One kafkajs consumer. A kafkajs batch larger than maxBatchSize is handed over in slices, each
 * committed on its own once the handler resolved and the effects it left (completeLater) are done.
 * A slice's offset is resolved as soon as the handler resolved, so kafkajs fetches the partition on
 * while those effects finish (a pipeline of at most maxPendingBatches slices per partition); what
 * is committed is only ever the end of a run of finished slices (autoCommit is off: kafkajs would
 * commit whatever is resolved).
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
  private readonly maxPendingBatches: number;
  private readonly pipelines = new Map<string, PartitionPipeline>();
  /** Woken whenever a pending slice settles or pipelines are dropped. */
  private pipelineChanged: { promise: Promise<void>; wake: () => void } = signalPair();
  private activeBatches = 0;
  private readonly retry: Required<RetryPolicy>;
  private assigned: Record<string, number[]> = {};
  private readonly lags = new Map<string, PartitionLag>();
  private shuttingDown: Promise<void> | null = null;

  constructor(kafka: Kafka, private readonly options: SubscribeOptions, private readonly settings: KafkaConsumerSettings, private readonly logger: BusLogger) {
    this.groupId = options.groupId;
    this.maxBatchSize = resolveMaxBatchSize(options.maxBatchSize);
    this.maxPendingBatches = resolveMaxPendingBatches(options.maxPendingBatches);
    this.retry = resolveRetryPolicy(options.retry);
    this.done = new Promise((resolve) => { this.settle = resolve; });
    this.consumer = kafka.consumer(settings.consumerConfig(options.groupId));
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.assigned = Object.fromEntries(Object.entries(payload.memberAssignment).map(([t, ps]) => [t, [...ps].sort((a, b) => a - b)]));
      for (const [key, lag] of this.lags) if (!this.assigned[lag.topic]?.includes(lag.partition)) this.lags.delete(key);
      // A (re)join restarts every partition from its committed offset: what is pending is delivered
      // again, and committing it now could move back an offset another member has committed since.
      this.dropPipelines();
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
        autoCommit: false,
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
      // A graceful stop finishes what is in hand, effects included, and commits it while still a member.
      if (outcome.state === 'stopped') await this.drain();
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
    this.activeBatches++;
    try {
      await this.handleBatch(payload);
    } finally {
      this.activeBatches--;
      this.wakeWaiters();
    }
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const highWatermark = Number(batch.highWatermark);
    const key = `${topic}:${partition}`;
    for (let i = 0; i < batch.messages.length; i += this.maxBatchSize) {
      // Stopping finishes the slice in hand only; the rest is fetched again by whoever owns the partition next.
      if (!(await this.roomIn(key)) || this._state !== 'running' || !isRunning() || isStale()) return;
      const slice = batch.messages.slice(i, i + this.maxBatchSize);
      const messages = slice.map((m) => toBusMessage(topic, partition, m));
      const ctx: DeliveryContext = { topic, partition, signal: this.killSignal.signal, heartbeat: () => heartbeat().catch(() => undefined) };
      const started = performance.now();
      const runOptions = { retry: this.retry, interrupt: this.interrupt.signal, logger: this.logger };
      // A long handler (or a retry backoff) must not get this member evicted from its group.
      const keepAlive = setInterval(() => { heartbeat().catch(() => undefined); }, this.settings.heartbeatIntervalMs);
      let outcome;
      try {
        outcome = await runBatch(this.options.handler, messages, ctx, runOptions);
      } finally {
        clearInterval(keepAlive);
      }
      if (outcome.kind === 'failed') {
        if (this._state === 'running' || this._state === 'stopping') this.fail(outcome.error);
        return;
      }
      if (outcome.kind === 'aborted' || this.ended()) return;
      const last = slice[slice.length - 1].offset;
      const next = String(Number(last) + 1);
      // Resolving lets kafkajs fetch past this slice; only commits say what is done.
      resolveOffset(last);
      const pipeline = this.pipelines.get(key);
      if (outcome.effects.length === 0 && (!pipeline || pipeline.slices.length === 0)) {
        // Nothing left to wait for: committed here, and a commit error (a rebalance took the
        // partition) goes back to kafkajs, which rejoins; the slice is redelivered.
        await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next }] }] });
        this.committed(topic, partition, next, slice.length, started, highWatermark);
        continue;
      }
      const pending: PendingSlice = { next, size: slice.length, started, highWatermark, outcome: null };
      const owner = this.pipelineFor(key, topic, partition);
      owner.commit = (offset) => commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
      owner.slices.push(pending);
      void runEffects(outcome.effects, ctx, runOptions).then((settled) => {
        pending.outcome = settled;
        this.advance(owner);
      });
    }
  }

  private pipelineFor(key: string, topic: string, partition: number): PartitionPipeline {
    let pipeline = this.pipelines.get(key);
    if (!pipeline) this.pipelines.set(key, (pipeline = { topic, partition, slices: [], commits: Promise.resolve(), commit: async () => undefined }));
    return pipeline;
  }

  /** Waits until the partition has room for one more pending slice; false when the subscription ended meanwhile. */
  private async roomIn(key: string): Promise<boolean> {
    for (;;) {
      if (this._state !== 'running') return false;
      const pipeline = this.pipelines.get(key);
      if (!pipeline || pipeline.slices.length < this.maxPendingBatches) return true;
      await this.pipelineChanged.promise;
    }
  }

  /** Commits the finished slices at the head of a partition's pipeline; a failed one fails the subscription. */
  private advance(pipeline: PartitionPipeline): void {
    const { topic, partition, slices } = pipeline;
    // A dropped pipeline (rebalance) is no longer in the map: its slices are delivered again, not committed.
    if (this.pipelines.get(`${topic}:${partition}`) !== pipeline) return this.wakeWaiters();
    let done: PendingSlice | undefined;
    let count = 0;
    while (slices.length > 0 && slices[0].outcome !== null) {
      const head = slices.shift()!;
      const outcome = head.outcome!;
      if (outcome.kind === 'failed') {
        if (this._state === 'running' || this._state === 'stopping') this.fail(outcome.error);
        slices.length = 0;
        done = undefined;
        break;
      }
      if (outcome.kind === 'aborted' || this.ended()) {
        slices.length = 0;
        done = undefined;
        break;
      }
      done = head;
      count += head.size;
    }
    if (done) {
      const last = done;
      const size = count;
      pipeline.commits = pipeline.commits.then(async () => {
        if (this.ended() || this.pipelines.get(`${topic}:${partition}`) !== pipeline) return;
        try {
          await pipeline.commit(last.next);
          this.committed(topic, partition, last.next, size, last.started, last.highWatermark);
        } catch (error) {
          // A rebalance took the partition: whoever owns it now gets these slices again.
          this.logger.log('warn', 'could not commit a pipelined slice; it will be redelivered', { groupId: this.groupId, topic, partition, error: String(error) });
        }
      });
    }
    this.wakeWaiters();
  }

  private committed(topic: string, partition: number, next: string, size: number, started: number, highWatermark: number): void {
    const lag = Math.max(0, highWatermark - Number(next));
    this.lags.set(`${topic}:${partition}`, { topic, partition, committedOffset: next, highWatermark: String(highWatermark), lag });
    this.options.onBatch?.({ topic, partition, size, durationMs: performance.now() - started, lag });
  }

  private wakeWaiters(): void {
    const current = this.pipelineChanged;
    this.pipelineChanged = signalPair();
    current.wake();
  }

  private dropPipelines(): void {
    this.pipelines.clear();
    this.wakeWaiters();
  }

  /** Until no batch is being handled and every pending slice has settled and been committed (or given up). */
  private async drain(): Promise<void> {
    for (;;) {
      const pending = [...this.pipelines.values()];
      if (this.activeBatches === 0 && pending.every((p) => p.slices.length === 0)) {
        await Promise.all(pending.map((p) => p.commits));
        if (this.activeBatches === 0 && [...this.pipelines.values()].every((p) => p.slices.length === 0)) return;
        continue;
      }
      await this.pipelineChanged.promise;
    }
  }
}

/** A promise to wait on and the function that resolves it (one per wake: see wakeWaiters). */
function signalPair(): { promise: Promise<void>; wake: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, wake: () => resolve() };
}
