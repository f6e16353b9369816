import { Kafka, type Admin, type ConsumerConfig } from 'kafkajs';
import { PulseError } from '@pulse/core';
import type { MessageBus, Publisher, SubscribeOptions, Subscription } from '../bus.types';
import { consoleBusLogger, type BusLogger, type BusLogLevel } from '../bus-logger';
import { validateSubscribeOptions } from '../validation';
import { CoalescingProducer, type ProducerBatchingOptions } from './kafka-producer';
import { delayedRoundRobinAssigner, kafkaLogCreator, kafkaLogLevels, toPulseError } from './kafka-support';
import { KafkaSubscription } from './kafka-subscription';

export interface KafkaBusOptions {
  brokers: readonly string[];
  /** Default 'pulse'. */
  clientId?: string;
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
  private readonly subscriptions = new Set<KafkaSubscription>();
  private admin: Promise<Admin> | null = null;
  private closed = false;

  constructor(private readonly options: KafkaBusOptions) {
    if (!Array.isArray(options.brokers) || options.brokers.length === 0) throw new TypeError('KafkaBus: brokers must be a non-empty list of host:port');
    this.logger = options.logger ?? consoleBusLogger();
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'pulse',
      brokers: [...options.brokers],
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

  createPublisher(): Publisher {
    return { publish: (topic, messages) => this.producer.publish(topic, messages) };
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.closed) throw new PulseError('kafka bus is closed');
    validateSubscribeOptions(options);
    const subscription = new KafkaSubscription(this.kafka, options, {
      consumerConfig: (groupId) => this.consumerConfig(groupId),
      heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? 500,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
    }, this.logger);
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
