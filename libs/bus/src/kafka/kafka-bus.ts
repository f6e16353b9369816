import { randomUUID } from 'node:crypto';
import { Kafka, type Admin, type ConsumerConfig, type SASLOptions } from 'kafkajs';
import { PulseError } from '@pulse/core';
import type {
  BusMessage,
  MessageBus,
  PartitionOffsets,
  Publisher,
  PublisherOptions,
  ReadRangeOptions,
  SubscribeOptions,
  Subscription,
} from '../bus.types';
import { consoleBusLogger, type BusLogger, type BusLogLevel } from '../bus-logger';
import { validateSubscribeOptions } from '../validation';
import { CoalescingProducer, type ProducerBatchingOptions } from './kafka-producer';
import {
  delayedRoundRobinAssigner,
  kafkaLogCreator,
  kafkaLogLevels,
  toBusMessage,
  toPulseError,
} from './kafka-support';
import { KafkaSubscription } from './kafka-subscription';
import type { KafkaSecurity } from './kafka-security';

export interface KafkaBusOptions {
  brokers: readonly string[];
  /** Default 'pulse'. */
  clientId?: string;
  /** TLS / SASL to the brokers (kafkaSecurityFromEnv reads them). Default: plaintext, no SASL. */
  security?: KafkaSecurity;
  /**
   * Idempotent producer (no duplicates from producer retries). Default true. Must be false against
   * the librdkafka mock cluster used by the tests: its idempotent producers cannot connect.
   */
  idempotent?: boolean;
  /** GZIP-compress produce requests. Default false. */
  gzip?: boolean;
  /** Default 6000 (Kafka's minimum allowed by default brokers); tests use 3000 to rebalance faster. */
  sessionTimeoutMs?: number;
  /** Default 500. */
  heartbeatIntervalMs?: number;
  /** Longest a fetch waits for data. Default 200: a member notices rebalances quickly. */
  maxWaitTimeMs?: number;
  /** Pause of a multi-member group's leader before assigning partitions. Default 300. */
  rebalanceDelayMs?: number;
  /** Default 1 MiB. */
  maxBytesPerPartition?: number;
  /** Partitions handled at the same time by one subscription. Default 1. */
  partitionsConsumedConcurrently?: number;
  producerBatching?: ProducerBatchingOptions;
  /** Default 3000. */
  connectionTimeoutMs?: number;
  /** Retries of a failed request or connection by kafkajs (backoff from 300 ms). Default 5. */
  retries?: number;
  /** Default: warnings and errors as JSON lines on stderr. */
  logger?: BusLogger;
  /** Lowest level kafkajs reports. Default 'warn'. */
  logLevel?: BusLogLevel;
}

/** The bus over Kafka (kafkajs). Topics are created by the broker on first use, never by the bus. */
export class KafkaBus implements MessageBus {
  readonly kind = 'kafka' as const;
  /** The kafkajs client, for tools that need raw access with the same settings (benchmarks). */
  readonly kafka: Kafka;
  private readonly logger: BusLogger;
  private readonly producer: CoalescingProducer;
  /** Producers of publishers that must not resend (createPublisher({ resend: false })), closed with the bus. */
  private readonly onceProducers: CoalescingProducer[] = [];
  private readonly subscriptions = new Set<KafkaSubscription>();
  private admin: Promise<Admin> | null = null;
  private closed = false;

  constructor(private readonly options: KafkaBusOptions) {
    if (!Array.isArray(options.brokers) || options.brokers.length === 0)
      throw new TypeError('KafkaBus: brokers must be a non-empty list of host:port');
    this.logger = options.logger ?? consoleBusLogger();
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'pulse',
      brokers: [...options.brokers],
      ssl: options.security?.ssl,
      sasl: options.security?.sasl as SASLOptions | undefined,
      connectionTimeout: options.connectionTimeoutMs ?? 3000,
      retry: { retries: options.retries ?? 5 },
      logLevel: kafkaLogLevels[options.logLevel ?? 'warn'],
      logCreator: kafkaLogCreator(this.logger),
    });
    this.producer = new CoalescingProducer(this.kafka, {
      idempotent: options.idempotent ?? true,
      gzip: options.gzip ?? false,
      retries: options.retries ?? 5,
      batching: options.producerBatching,
    });
  }

  /** The consumer settings every subscription uses; exposed so raw kafkajs consumers can match them. */
  consumerConfig(groupId: string): ConsumerConfig {
    return {
      groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 6000,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? 500,
      maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 200,
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? 1024 * 1024,
      partitionAssigners: [delayedRoundRobinAssigner(this.options.rebalanceDelayMs ?? 300)],
      allowAutoTopicCreation: true,
    };
  }

  /**
   * The bus's shared producer; with `resend: false` and a producer that is not idempotent, a
   * producer of its own that never retries a send (a retry of a request that did land would write
   * its messages twice; an idempotent producer's retries cannot).
   */
  createPublisher(options: PublisherOptions = {}): Publisher {
    let producer = this.producer;
    if (options.resend === false && !(this.options.idempotent ?? true)) {
      if (this.closed) throw new PulseError('kafka bus is closed');
      producer = new CoalescingProducer(this.kafka, {
        idempotent: false,
        gzip: this.options.gzip ?? false,
        retries: 0,
        batching: this.options.producerBatching,
      });
      this.onceProducers.push(producer);
    }
    return { publish: (topic, messages) => producer.publish(topic, messages) };
  }

  connectPublisher(): Promise<void> {
    if (this.closed) return Promise.reject(new PulseError('kafka bus is closed'));
    return this.producer.connect();
  }

  async fetchEndOffsets(topic: string): Promise<PartitionOffsets> {
    try {
      const admin = await this.connectAdmin();
      const offsets: PartitionOffsets = {};
      for (const p of await admin.fetchTopicOffsets(topic)) offsets[p.partition] = p.high;
      return offsets;
    } catch (error) {
      throw toPulseError(error, `cannot read the end offsets of ${topic}`);
    }
  }

  /**
   * A consumer of a throwaway group (random id, nothing committed) seeks each partition to its start
   * and reads until every partition's fetch position passed its end. Its first join takes about a
   * session timeout on some brokers (the librdkafka mock waits sessionTimeout - 1 s).
   */
  async readRange(
    topic: string,
    from: PartitionOffsets,
    to: PartitionOffsets,
    onMessages: (messages: BusMessage[]) => void | Promise<void>,
    options: ReadRangeOptions = {},
  ): Promise<void> {
    if (this.closed) throw new PulseError('kafka bus is closed');
    const ends = new Map<number, bigint>();
    for (const [p, end] of Object.entries(to)) {
      const start = from[Number(p)];
      if (BigInt(end) > 0n && (start === undefined || BigInt(start) < BigInt(end))) ends.set(Number(p), BigInt(end));
    }
    if (ends.size === 0) return;
    const timeoutMs = options.timeoutMs ?? 60_000;
    const now = await this.fetchEndOffsets(topic);
    const consumer = this.kafka.consumer(this.consumerConfig(`pulse-read-range-${randomUUID()}`));
    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const remaining = new Set(ends.keys());
      /** Next offset to hand over, by partition: a fetch made again (before the seeks) hands nothing over twice. */
      const handedOver = new Map<number, bigint>();
      let finish!: () => void;
      let fail!: (error: unknown) => void;
      const done = new Promise<void>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
      done.catch(() => undefined); // settled before the race below listens: not an unhandled rejection
      const advanced = (partition: number, lastOffset: string | null) => {
        const end = ends.get(partition);
        if (end === undefined || lastOffset === null || BigInt(lastOffset) < end - 1n || !remaining.delete(partition))
          return;
        if (remaining.size === 0) finish();
      };
      // A crash of the consumer (e.g. the broker going away) rejects the read rather than hanging it.
      consumer.on(consumer.events.CRASH, (event) => fail(event.payload.error));
      // Also reported for fetches of control records only (transaction markers), never handed to eachBatch.
      consumer.on(consumer.events.END_BATCH_PROCESS, (event) =>
        advanced(event.payload.partition, event.payload.lastOffset),
      );
      await consumer.run({
        // Nothing committed; each batch resolved (the default) so that the fetch position moves on.
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const end = ends.get(batch.partition);
          if (end === undefined || !remaining.has(batch.partition)) return;
          const messages: BusMessage[] = [];
          let position = handedOver.get(batch.partition) ?? BigInt(from[batch.partition] ?? '0');
          for (const m of batch.messages) {
            const offset = BigInt(m.offset);
            if (offset >= position && offset < end) {
              messages.push(toBusMessage(topic, batch.partition, m));
              position = offset + 1n;
            }
          }
          handedOver.set(batch.partition, position);
          try {
            if (messages.length > 0) await onMessages(messages);
          } catch (error) {
            fail(error);
            return;
          }
          advanced(batch.partition, batch.lastOffset());
        },
      });
      // Applied once the partitions are assigned. Every partition seeks: the ones outside the range to
      // their end, so that none is read from its start for nothing. (Messages are picked by offset, so
      // a fetch made before the seeks only costs a read.)
      for (const [p, end] of Object.entries(now)) {
        const partition = Number(p);
        consumer.seek({ topic, partition, offset: ends.has(partition) ? (from[partition] ?? '0') : end });
      }
      await Promise.race([
        done,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new PulseError(
                  `reading ${topic} back did not finish within ${timeoutMs} ms (partitions ${[...ends.keys()].join(', ')})`,
                  { retriable: true },
                ),
              ),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      throw toPulseError(error, `cannot read ${topic} back`);
    } finally {
      clearTimeout(timer);
      await consumer.disconnect().catch(() => undefined);
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.closed) throw new PulseError('kafka bus is closed');
    validateSubscribeOptions(options);
    const subscription = new KafkaSubscription(
      this.kafka,
      options,
      {
        consumerConfig: (groupId) => this.consumerConfig(groupId),
        heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? 500,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      },
      this.logger,
    );
    this.subscriptions.add(subscription);
    void subscription.done.then(() => this.subscriptions.delete(subscription));
    await subscription.start();
    return subscription;
  }

  async ping(): Promise<void> {
    try {
      const admin = await this.connectAdmin();
      await admin.describeCluster();
    } catch (error) {
      throw toPulseError(error, 'Kafka is unreachable');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.producer.close();
    await Promise.all(this.onceProducers.map((p) => p.close()));
    if (this.admin) await (await this.admin.catch(() => null))?.disconnect();
  }

  private connectAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error) => {
      this.admin = null;
      throw error;
    });
    return this.admin;
  }
}
