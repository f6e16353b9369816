/** A message as consumers see it. Offsets are strings because Kafka's are 64-bit. */
export interface BusMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  /** Epoch milliseconds at which the message was appended to its partition. */
  timestamp: number;
}

/** A message to publish. Messages with the same key land on the same partition, in order. */
export interface OutgoingMessage {
  key: string | null;
  value: Buffer | string;
  headers?: Record<string, string>;
}

export interface Publisher {
  /** Resolves once every message is durable (acks from all in-sync replicas); rejects otherwise. */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
}

export interface PublisherOptions {
  /**
   * Whether the publisher may send a message again on its own after an attempt failed (producer
   * retries: duplicates without an idempotent producer). Default true. With false, a rejected
   * publish may have landed in part, but nothing it sent lands twice: for callers that find out
   * themselves what landed (an outbox relay reading the topic back).
   */
  resend?: boolean;
}

/** Offsets by partition number, as decimal strings (Kafka's are 64-bit). */
export type PartitionOffsets = Record<number, string>;

export interface ReadRangeOptions {
  /** Rejects if the range was not read within this long. Default 60 s. */
  timeoutMs?: number;
}

/** Reading a topic back: how an outbox relay finds out which of its messages landed. */
export interface TopicReader {
  /** Each partition's end offset (the offset its next message will get), by partition number. */
  fetchEndOffsets(topic: string): Promise<PartitionOffsets>;
  /**
   * Hands `onMessages` every message of each partition p in `to` from from[p] (inclusive; the
   * oldest kept when absent or older) up to to[p] (exclusive), in offset order per partition, in
   * batches; resolves once all are handed over. Joins no group that anyone else uses, commits nothing.
   */
  readRange(
    topic: string,
    from: PartitionOffsets,
    to: PartitionOffsets,
    onMessages: (messages: BusMessage[]) => void | Promise<void>,
    options?: ReadRangeOptions,
  ): Promise<void>;
}

/** What a handler gets besides its batch. A batch always comes from one topic-partition. */
export interface BatchContext {
  topic: string;
  partition: number;
  /**
   * Aborted when the subscription is killed or fails: the handler may give up early, its batch is not
   * committed and will be redelivered. A graceful stop does not abort it.
   */
  signal: AbortSignal;
  /** Tells the group this member is alive; call it inside handlers that run for seconds. */
  heartbeat(): Promise<void>;
  /**
   * Hands over the last of the batch's effects (e.g. a database append) to finish after the handler
   * resolved: the handler's own work is what must happen in partition order; this need not. The batch
   * is committed only once every effect resolved, and the next batch of the partition may be handed
   * to the handler meanwhile (up to SubscribeOptions.maxPendingBatches). An effect must be idempotent:
   * a retriable failure runs it again (the retry policy's backoff), another fails the subscription;
   * a kill abandons it (the batch is redelivered), a graceful stop waits for it.
   */
  completeLater(effect: BatchEffect): void;
}

/** What a handler leaves to finish after it resolved (BatchContext.completeLater). */
export type BatchEffect = () => Promise<unknown>;

export type BatchHandler = (batch: BusMessage[], ctx: BatchContext) => Promise<void>;

/** Sent after each committed batch, for metrics (batch latency, consumer lag). */
export interface BatchReport {
  topic: string;
  partition: number;
  size: number;
  /** Handler time including retries, in milliseconds. */
  durationMs: number;
  /** Messages in the partition after the committed offset when the batch was fetched. */
  lag: number;
}

export interface RetryPolicy {
  /** First backoff after a retriable handler error. Default 100 ms. */
  initialDelayMs?: number;
  /** Backoff ceiling. Default 5000 ms. */
  maxDelayMs?: number;
  /** Attempts (first one included) before a retriable error is treated as fatal. Default: unlimited. */
  maxAttempts?: number;
}

export interface SubscribeOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a group with no committed offset starts: the oldest message (true) or new ones only. Default false. */
  fromBeginning?: boolean;
  handler: BatchHandler;
  /**
   * Upper bound on messages per handler call. Default 1000. A handler call gets everything waiting up
   * to this: the Kafka bus merges what it fetched while the handler was busy.
   */
  maxBatchSize?: number;
  /**
   * Batches per partition whose effects (BatchContext.completeLater) may still be running while the
   * handler is given the next one; a next batch waits while this many are pending. Default 2. The
   * in-memory bus finishes each batch's effects before the next batch, whatever this says.
   */
  maxPendingBatches?: number;
  /**
   * Kafka bus: a handler call waits, up to maxBatchWaitMs after the first message of the batch was
   * fetched, until minBatchSize messages are there (Kafka's fetch.min.bytes / fetch.max.wait.ms, on
   * the client: librdkafka's mock broker answers a fetch with one producer batch). Larger batches cost
   * a handler that keeps per-key state less per message. Default 1 (no waiting). The in-memory bus
   * hands over what its log has.
   */
  minBatchSize?: number;
  /** See minBatchSize. Default 0. */
  maxBatchWaitMs?: number;
  retry?: RetryPolicy;
  /** Called once when the subscription fails (non-retriable handler error or a broken consumer). */
  onError?: (error: unknown) => void;
  onBatch?: (report: BatchReport) => void;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Next offset the group will consume (committed position) as seen by this member. */
  committedOffset: string;
  highWatermark: string;
  lag: number;
}

export type SubscriptionState = 'running' | 'stopping' | 'stopped' | 'killed' | 'failed';

export interface SubscriptionOutcome {
  state: 'stopped' | 'killed' | 'failed';
  error?: unknown;
}

export interface Subscription {
  readonly groupId: string;
  readonly state: SubscriptionState;
  /** Settles (never rejects) when the subscription has left its group, whatever the reason. */
  readonly done: Promise<SubscriptionOutcome>;
  /** Graceful: finishes and commits the batch in hand, then leaves the group. */
  stop(): Promise<void>;
  /** Simulates a crash: leaves at once without committing the batch in hand (it will be redelivered). */
  kill(): Promise<void>;
  /** Partitions currently assigned to this member, by topic. */
  assignment(): Record<string, number[]>;
  /** Lag of the partitions this member has consumed from (for metrics). */
  lag(): PartitionLag[];
}

export interface MessageBus extends TopicReader {
  readonly kind: 'kafka' | 'in-memory';
  createPublisher(options?: PublisherOptions): Publisher;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Throws a ConnectionError when the bus cannot be reached (used by health checks). */
  ping(): Promise<void>;
  /**
   * Connects the bus's publisher now rather than at the first publish, so that a broker that cannot
   * serve it as configured fails the start (a ConfigError naming the setting) instead of later publishes.
   */
  connectPublisher(): Promise<void>;
  /** Stops every subscription gracefully and releases connections. */
  close(): Promise<void>;
}
