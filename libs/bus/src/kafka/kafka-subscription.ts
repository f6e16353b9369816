import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka } from 'kafkajs';
import type {
  BusMessage,
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

/** What kafkajs fetched for a partition and the handler has not taken yet. */
interface PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  readonly queue: BusMessage[];
  /** The latest fetch's payload: its commit and heartbeat belong to the group generation kafkajs has now. */
  latest: EachBatchPayload | null;
  highWatermark: number;
  /** Whether drainQueue is running for it. */
  draining: boolean;
  /** When the batch being gathered began (its first message was queued), for maxBatchWaitMs. */
  gatheringSince: number;
}

export interface KafkaConsumerSettings {
  consumerConfig: (groupId: string) => ConsumerConfig;
  heartbeatIntervalMs: number;
  partitionsConsumedConcurrently: number;
}

/**
 * One kafkajs consumer. What kafkajs fetches is queued per partition (its offset resolved at once, so
 * kafkajs fetches on, up to maxBatchSize messages queued), and the handler is given everything queued,
 * up to maxBatchSize, as one batch: consecutive fetches are merged while the handler is busy. Each
 * batch is committed on its own once the handler resolved and the effects it left (completeLater) are
 * done; the handler is given the partition's next batch meanwhile (a pipeline of at most
 * maxPendingBatches per partition). What is committed is only ever the end of a run of finished
 * batches (autoCommit is off: kafkajs would commit whatever is resolved); queued messages not handled
 * yet are never committed, and whoever owns the partition next fetches them again.
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
  private readonly minBatchSize: number;
  private readonly maxBatchWaitMs: number;
  private readonly pipelines = new Map<string, PartitionPipeline>();
  private readonly partitions = new Map<string, PartitionQueue>();
  /** The handler call running on each partition; kept across rejoins (see handleSlice). */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Woken whenever a pending slice settles or pipelines are dropped. */
  private pipelineChanged: { promise: Promise<void>; wake: () => void } = signalPair();
  /** Partitions whose queue is being handed to the handler (drainQueue running). */
  private activeHandlers = 0;
  /** Handler calls running now (at most partitionsConsumedConcurrently). */
  private handling = 0;
  private readonly retry: Required<RetryPolicy>;
  private assigned: Record<string, number[]> = {};
  private readonly lags = new Map<string, PartitionLag>();
  private shuttingDown: Promise<void> | null = null;

  constructor(
    kafka: Kafka,
    private readonly options: SubscribeOptions,
    private readonly settings: KafkaConsumerSettings,
    private readonly logger: BusLogger,
  ) {
    this.groupId = options.groupId;
    this.maxBatchSize = resolveMaxBatchSize(options.maxBatchSize);
    this.maxPendingBatches = resolveMaxPendingBatches(options.maxPendingBatches);
    this.minBatchSize = options.minBatchSize ?? 1;
    this.maxBatchWaitMs = options.maxBatchWaitMs ?? 0;
    this.retry = resolveRetryPolicy(options.retry);
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.consumer = kafka.consumer(settings.consumerConfig(options.groupId));
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.assigned = Object.fromEntries(
        Object.entries(payload.memberAssignment).map(([t, ps]) => [t, [...ps].sort((a, b) => a - b)]),
      );
      // Each partition's committed position is learnt again from its first fetch (another member may have moved it).
      this.lags.clear();
      // A (re)join restarts every partition from its committed offset: what is pending is delivered
      // again, and committing it now could move back an offset another member has committed since.
      this.dropPipelines();
    });
    this.consumer.on(CRASH, ({ payload }) => {
      // kafkajs restarts itself after retriable crashes; a crash it gives up on ends the subscription.
      if (!payload.restart && this._state === 'running')
        this.fail(toPulseError(payload.error, `Kafka consumer of group ${this.groupId} crashed`));
    });
  }

  get state(): SubscriptionState {
    return this._state;
  }

  /** Killed or failed: whatever the handler did, nothing more may be committed. */
  private ended(): boolean {
    return this._state === 'killed' || this._state === 'failed';
  }

  async start(): Promise<void> {
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({
        topics: [...this.options.topics],
        fromBeginning: this.options.fromBeginning ?? false,
      });
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
      this.wakeWaiters();
      void this.shutdown({ state: 'stopped' });
    }
    return this.done.then(() => undefined);
  }

  kill(): Promise<void> {
    if (this._state === 'running' || this._state === 'stopping') {
      this._state = 'killed';
      this.killSignal.abort();
      this.interrupt.abort();
      this.wakeWaiters();
      void this.shutdown({ state: 'killed' });
    }
    return this.done.then(() => undefined);
  }

  assignment(): Record<string, number[]> {
    return Object.fromEntries(Object.entries(this.assigned).map(([t, ps]) => [t, [...ps]]));
  }

  /** Messages fetched and not yet handed to the handler, over all partitions (what the next batches will merge). */
  queued(): number {
    let n = 0;
    for (const part of this.partitions.values()) n += part.queue.length;
    return n;
  }

  lag(): PartitionLag[] {
    return [...this.lags.values()].map((l) => ({ ...l }));
  }

  private fail(error: unknown): void {
    this._state = 'failed';
    this.killSignal.abort();
    this.interrupt.abort();
    this.wakeWaiters();
    this.logger.log('error', 'subscription failed', {
      groupId: this.groupId,
      error: error instanceof Error ? error.message : String(error),
    });
    this.options.onError?.(error);
    // Not awaited: disconnect waits for the eachBatch call we may be inside of.
    void this.shutdown({ state: 'failed', error });
  }

  private shutdown(outcome: SubscriptionOutcome): Promise<void> {
    this.shuttingDown ??= (async () => {
      // A graceful stop finishes what is in hand, effects included, and commits it while still a member.
      if (outcome.state === 'stopped') await this.drain();
      // A failed subscription still commits the batches finished before the failure (their commits are under way).
      if (outcome.state === 'failed') await Promise.all([...this.pipelines.values()].map((p) => p.commits));
      try {
        await this.consumer.disconnect();
      } catch (error) {
        this.logger.log('warn', 'error while disconnecting a consumer', {
          groupId: this.groupId,
          error: String(error),
        });
      }
      const final: SubscriptionOutcome =
        this._state === 'failed' && outcome.state !== 'failed' ? { state: 'failed', error: outcome.error } : outcome;
      if (this._state !== 'failed') this._state = final.state;
      this.settle(final);
    })();
    return this.shuttingDown;
  }

  /**
   * Queues what kafkajs fetched and returns, so that kafkajs fetches the partition on while the
   * handler works: the handler then takes everything queued (up to maxBatchSize) as one batch. A busy
   * handler gets larger batches, which costs it less per message (one state read and write per entity
   * per batch), an idle one gets each fetch at once. Returns once the queue has room again.
   */
  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset } = payload;
    if (batch.messages.length === 0 || this._state !== 'running') return;
    const { topic, partition } = batch;
    const key = `${topic}:${partition}`;
    const part = this.partitionFor(key, topic, partition);
    if (part.queue.length === 0) part.gatheringSince = performance.now();
    for (const m of batch.messages) part.queue.push(toBusMessage(topic, partition, m));
    part.latest = payload;
    part.highWatermark = Number(batch.highWatermark);
    // A fetch of the group generation before a rejoin would record a committed position that is not.
    if (!payload.isStale()) this.fetched(topic, partition, batch.firstOffset(), part.highWatermark);
    // Resolving lets kafkajs fetch past these messages; only commits say what is done.
    resolveOffset(batch.lastOffset());
    if (!part.draining) void this.drainQueue(key, part);
    // A handler call waiting for minBatchSize looks again.
    else this.wakeWaiters();
    await this.waitUntil(
      () => part.queue.length < this.maxBatchSize,
      () => this.partitions.get(key) === part,
    );
  }

  private partitionFor(key: string, topic: string, partition: number): PartitionQueue {
    let part = this.partitions.get(key);
    if (!part)
      this.partitions.set(
        key,
        (part = { topic, partition, queue: [], latest: null, highWatermark: 0, draining: false, gatheringSince: 0 }),
      );
    return part;
  }

  /** Hands a partition's queued messages to the handler, up to maxBatchSize at a time, until none are left. */
  private async drainQueue(key: string, part: PartitionQueue): Promise<void> {
    part.draining = true;
    this.activeHandlers++;
    try {
      while (part.queue.length > 0) {
        // Stopping finishes the batch in hand only; what is queued is fetched again by whoever owns the partition next.
        const current = () => this.partitions.get(key) === part;
        // minBatchSize queued, or maxBatchWaitMs since the batch began; then room in the pipeline and a handler slot.
        if (
          !(await this.waitUntil(
            () => part.queue.length >= this.minBatchSize,
            current,
            part.gatheringSince + this.maxBatchWaitMs,
          ))
        )
          return;
        if (
          !(await this.waitUntil(() => (this.pipelines.get(key)?.slices.length ?? 0) < this.maxPendingBatches, current))
        )
          return;
        if (!(await this.waitUntil(() => this.handling < this.settings.partitionsConsumedConcurrently, current)))
          return;
        const payload = part.latest!;
        if (!payload.isRunning() || payload.isStale()) return;
        const messages = part.queue.splice(0, this.maxBatchSize);
        part.gatheringSince = performance.now();
        // The queue has room again: a fetch waiting for it may go on.
        this.wakeWaiters();
        this.handling++;
        let go: boolean;
        try {
          go = await this.handleSlice(key, part, payload, messages);
        } finally {
          this.handling--;
          // Another partition may be waiting for this slot.
          this.wakeWaiters();
        }
        if (!go) return;
      }
    } finally {
      part.draining = false;
      this.activeHandlers--;
      this.wakeWaiters();
    }
  }

  /** One batch through the handler; its effects then run in the partition's pipeline. False when handling must stop. */
  private async handleSlice(
    key: string,
    part: PartitionQueue,
    payload: EachBatchPayload,
    messages: BusMessage[],
  ): Promise<boolean> {
    // A call from before a rejoin may still run on this partition (the rejoin dropped its queue, not
    // the call): the partition's batches are handled one at a time, so this one waits for it.
    const earlier = this.inFlight.get(key);
    if (earlier) await earlier;
    if (this.partitions.get(key) !== part || this._state !== 'running') return false;
    let finished!: () => void;
    const mine = new Promise<void>((resolve) => (finished = resolve));
    this.inFlight.set(key, mine);
    try {
      return await this.runSlice(key, part, payload, messages);
    } finally {
      finished();
      if (this.inFlight.get(key) === mine) this.inFlight.delete(key);
    }
  }

  private async runSlice(
    key: string,
    part: PartitionQueue,
    payload: EachBatchPayload,
    messages: BusMessage[],
  ): Promise<boolean> {
    const { topic, partition, highWatermark } = part;
    const heartbeat = () => payload.heartbeat().catch(() => undefined);
    const ctx: DeliveryContext = { topic, partition, signal: this.killSignal.signal, heartbeat };
    const started = performance.now();
    const runOptions = { retry: this.retry, interrupt: this.interrupt.signal, logger: this.logger };
    // A long handler (or a retry backoff) must not get this member evicted from its group.
    const keepAlive = setInterval(() => void heartbeat(), this.settings.heartbeatIntervalMs);
    let outcome;
    try {
      outcome = await runBatch(this.options.handler, messages, ctx, runOptions);
    } finally {
      clearInterval(keepAlive);
    }
    if (outcome.kind === 'failed') {
      if (this._state === 'running' || this._state === 'stopping') this.fail(outcome.error);
      return false;
    }
    if (outcome.kind === 'aborted' || this.ended() || this.partitions.get(key) !== part) return false;
    const next = String(Number(messages[messages.length - 1].offset) + 1);
    const pending: PendingSlice = { next, size: messages.length, started, highWatermark, outcome: null };
    const owner = this.pipelineFor(key, topic, partition);
    // The latest fetch's commit function: it commits with the group generation kafkajs has now.
    owner.commit = (offset) =>
      payload.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset }] }] });
    owner.slices.push(pending);
    if (outcome.effects.length === 0) {
      pending.outcome = { kind: 'done' };
      this.advance(owner);
    } else {
      void runEffects(outcome.effects, ctx, runOptions).then((settled) => {
        pending.outcome = settled;
        this.advance(owner);
      });
    }
    return true;
  }

  private pipelineFor(key: string, topic: string, partition: number): PartitionPipeline {
    let pipeline = this.pipelines.get(key);
    if (!pipeline)
      this.pipelines.set(
        key,
        (pipeline = { topic, partition, slices: [], commits: Promise.resolve(), commit: async () => undefined }),
      );
    return pipeline;
  }

  /**
   * Waits until `ready()` holds (true), re-checked whenever pipelines or queues change and, with a
   * `deadline` (performance.now() ms), once it has passed; false as soon as the subscription stops
   * running or `current()` fails (the partition was dropped by a rejoin).
   */
  private async waitUntil(
    ready: () => boolean,
    current: () => boolean = () => true,
    deadline?: number,
  ): Promise<boolean> {
    for (;;) {
      if (this._state !== 'running' || !current()) return false;
      if (ready()) return true;
      if (deadline === undefined) {
        await this.pipelineChanged.promise;
        continue;
      }
      const left = deadline - performance.now();
      if (left <= 0) return true;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.pipelineChanged.promise,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, left))),
      ]);
      clearTimeout(timer);
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
      // A failure elsewhere does not undo this slice's effects (they are durable): only a kill forgets it.
      if (outcome.kind === 'aborted' || this._state === 'killed') {
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
        if (this._state === 'killed' || this.pipelines.get(`${topic}:${partition}`) !== pipeline) return;
        try {
          await pipeline.commit(last.next);
          this.committed(topic, partition, last.next, size, last.started, last.highWatermark);
        } catch (error) {
          // A rebalance took the partition: whoever owns it now gets these slices again.
          this.logger.log('warn', 'could not commit a pipelined slice; it will be redelivered', {
            groupId: this.groupId,
            topic,
            partition,
            error: String(error),
          });
        }
      });
    }
    this.wakeWaiters();
  }

  /**
   * The lag as fetches see it, between commits: a partition whose batch keeps failing commits nothing,
   * and its lag must grow rather than stay at what the last commit saw. Before its first commit here,
   * the partition's committed position is where this member's fetching began.
   */
  private fetched(topic: string, partition: number, firstOffset: string | null, highWatermark: number): void {
    const key = `${topic}:${partition}`;
    const known = this.lags.get(key);
    const committedOffset = known?.committedOffset ?? firstOffset;
    if (committedOffset === null || committedOffset === undefined) return;
    const hw = Math.max(highWatermark, Number(known?.highWatermark ?? 0));
    this.lags.set(key, {
      topic,
      partition,
      committedOffset,
      highWatermark: String(hw),
      lag: Math.max(0, hw - Number(committedOffset)),
    });
  }

  private committed(
    topic: string,
    partition: number,
    next: string,
    size: number,
    started: number,
    fetchedHighWatermark: number,
  ): void {
    // The newest fetch may have seen a higher end than the one this batch came with.
    const highWatermark = Math.max(
      fetchedHighWatermark,
      Number(this.lags.get(`${topic}:${partition}`)?.highWatermark ?? 0),
    );
    const lag = Math.max(0, highWatermark - Number(next));
    this.lags.set(`${topic}:${partition}`, {
      topic,
      partition,
      committedOffset: next,
      highWatermark: String(highWatermark),
      lag,
    });
    this.options.onBatch?.({ topic, partition, size, durationMs: performance.now() - started, lag });
  }

  private wakeWaiters(): void {
    const current = this.pipelineChanged;
    this.pipelineChanged = signalPair();
    current.wake();
  }

  private dropPipelines(): void {
    this.pipelines.clear();
    this.partitions.clear();
    this.wakeWaiters();
  }

  /** Until no batch is being handled and every pending slice has settled and been committed (or given up). */
  private async drain(): Promise<void> {
    for (;;) {
      const pending = [...this.pipelines.values()];
      if (this.activeHandlers === 0 && pending.every((p) => p.slices.length === 0)) {
        await Promise.all(pending.map((p) => p.commits));
        if (this.activeHandlers === 0 && [...this.pipelines.values()].every((p) => p.slices.length === 0)) return;
        continue;
      }
      await this.pipelineChanged.promise;
    }
  }
}

/** A promise to wait on and the function that resolves it (one per wake: see wakeWaiters). */
function signalPair(): { promise: Promise<void>; wake: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, wake: () => resolve() };
}
