import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { PulseError } from '@pulse/core';
import type {
  BusMessage,
  MessageBus,
  OutgoingMessage,
  PartitionOffsets,
  Publisher,
  SubscribeOptions,
  Subscription,
} from '../bus.types';
import { silentBusLogger, type BusLogger } from '../bus-logger';
import { partitionForKey } from '../murmur2';
import { validateOutgoing, validateSubscribeOptions } from '../validation';
import { PartitionLog } from './partition-log';
import { InMemoryGroup, InMemorySubscription } from './in-memory-subscription';

export interface InMemoryBusOptions {
  /** Partitions of a topic created on first use. Default 4 (what the Kafka mock creates). */
  partitions?: number;
  /** Partition counts for named topics, overriding `partitions`. */
  topicPartitions?: Record<string, number>;
  /** Messages kept per partition; older ones are dropped like Kafka retention. Default 100,000. */
  retentionPerPartition?: number;
  logger?: BusLogger;
}

interface Topic {
  partitions: PartitionLog[];
  roundRobin: number;
}

/**
 * The bus inside one process, with Kafka's semantics: keyed partitioning (same hash as kafkajs),
 * consumer groups that split partitions and keep committed offsets, redelivery of uncommitted work.
 * Used by the embedded mode and unit tests.
 */
export class InMemoryBus implements MessageBus {
  readonly kind = 'in-memory' as const;
  private readonly topics = new Map<string, Topic>();
  private readonly groups = new Map<string, InMemoryGroup>();
  private readonly subscriptions = new Set<InMemorySubscription>();
  private readonly waiters = new Set<() => void>();
  private readonly partitionCount: number;
  private readonly retention: number;
  private readonly logger: BusLogger;
  private closed = false;

  constructor(private readonly options: InMemoryBusOptions = {}) {
    this.partitionCount = options.partitions ?? 4;
    this.retention = options.retentionPerPartition ?? 100_000;
    if (!Number.isInteger(this.partitionCount) || this.partitionCount < 1)
      throw new RangeError(`partitions must be a positive integer, got ${this.partitionCount}`);
    if (!Number.isInteger(this.retention) || this.retention < 1)
      throw new RangeError(`retentionPerPartition must be a positive integer, got ${this.retention}`);
    this.logger = options.logger ?? silentBusLogger;
  }

  /** Publishing never resends here (nothing fails half-way), so options change nothing. */
  createPublisher(): Publisher {
    return { publish: (topic, messages) => this.publish(topic, messages) };
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.assertOpen();
    validateSubscribeOptions(options);
    let group = this.groups.get(options.groupId);
    if (!group) {
      group = new InMemoryGroup(
        options.groupId,
        (topic) => this.topic(topic).partitions,
        () => this.wakeAll(),
      );
      this.groups.set(options.groupId, group);
    }
    const subscription = new InMemorySubscription(group, options, this.logger, (wake) => this.waitForChange(wake));
    this.subscriptions.add(subscription);
    void subscription.done.then(() => this.subscriptions.delete(subscription));
    subscription.start();
    return subscription;
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async connectPublisher(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }

  /** Number of messages ever appended to a topic's partitions (end offsets), for tests and metrics. */
  endOffsets(topic: string): number[] {
    return this.topic(topic).partitions.map((p) => p.endOffset);
  }

  async fetchEndOffsets(topic: string): Promise<PartitionOffsets> {
    this.assertOpen();
    const offsets: PartitionOffsets = {};
    this.topic(topic).partitions.forEach((p, i) => (offsets[i] = String(p.endOffset)));
    return offsets;
  }

  async readRange(
    topic: string,
    from: PartitionOffsets,
    to: PartitionOffsets,
    onMessages: (messages: BusMessage[]) => void | Promise<void>,
  ): Promise<void> {
    this.assertOpen();
    const partitions = this.topic(topic).partitions;
    for (const [p, endText] of Object.entries(to)) {
      const log = partitions[Number(p)];
      if (log === undefined) continue;
      const end = Math.min(Number(endText), log.endOffset);
      let offset = Math.max(Number(from[Number(p)] ?? 0), log.startOffset);
      while (offset < end) {
        const messages = log.read(offset, Math.min(1000, end - offset));
        if (messages.length === 0) break;
        await onMessages(messages);
        offset = Number(messages[messages.length - 1].offset) + 1;
      }
    }
  }

  private async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.assertOpen();
    validateOutgoing(topic, messages);
    const t = this.topic(topic);
    const timestamp = Date.now();
    for (const m of messages) {
      const partition =
        m.key !== null ? partitionForKey(m.key, t.partitions.length) : t.roundRobin++ % t.partitions.length;
      const value = typeof m.value === 'string' ? Buffer.from(m.value) : Buffer.from(m.value);
      const message: Omit<BusMessage, 'offset'> = {
        topic,
        partition,
        key: m.key,
        value,
        headers: { ...m.headers },
        timestamp,
      };
      t.partitions[partition].append(message);
    }
    this.wakeAll();
    // Resolve on the next macrotask so a tight publishing loop lets consumers run (no starvation).
    await nextMacrotask();
  }

  private topic(name: string): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      const count = this.options.topicPartitions?.[name] ?? this.partitionCount;
      topic = { partitions: Array.from({ length: count }, () => new PartitionLog(this.retention)), roundRobin: 0 };
      this.topics.set(name, topic);
    }
    return topic;
  }

  /** Registers a one-shot wake-up called on the next publish, commit or membership change. */
  private waitForChange(wake: () => void): () => void {
    this.waiters.add(wake);
    return () => this.waiters.delete(wake);
  }

  private wakeAll(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  private assertOpen(): void {
    if (this.closed) throw new PulseError('in-memory bus is closed');
  }
}
