import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import { ConfigError, PulseError } from '@pulse/core';
import type { OutgoingMessage } from '../bus.types';
import { validateOutgoing } from '../validation';
import { toPulseError } from './kafka-support';

export interface ProducerBatchingOptions {
  /** Most messages in one produce request. Default 10,000. */
  maxMessages?: number;
  /** Most payload bytes (keys + values) in one produce request. Default 4 MiB. */
  maxBytes?: number;
}

interface PendingCall {
  remaining: number;
  settled: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Pending {
  topic: string;
  message: Message;
  bytes: number;
  call: PendingCall;
}

/** What kafkajs says when the cluster cannot give an idempotent producer its id. */
const IDEMPOTENCE_UNSUPPORTED = /Broker -?\d+ not found in the cached metadata/;

/**
 * One kafkajs producer per bus. Publish calls made while a send is in flight are coalesced into the
 * next `sendBatch` (acks from all replicas), so many small publishers still produce big requests;
 * one send at a time keeps each key's messages in publish order.
 */
export class CoalescingProducer {
  private readonly producer: Producer;
  private readonly queue: Pending[] = [];
  private connecting: Promise<void> | null = null;
  private draining: Promise<void> | null = null;
  private closed = false;
  private readonly maxMessages: number;
  private readonly maxBytes: number;

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: {
      idempotent: boolean;
      gzip: boolean;
      retries: number;
      batching?: ProducerBatchingOptions;
    },
  ) {
    // DefaultPartitioner is Java-compatible murmur2 (also used by the in-memory bus); naming it silences kafkajs's v2 notice.
    this.producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: settings.idempotent,
      allowAutoTopicCreation: true,
      // Bounded retries: a publish must fail (and its batch be retried by the bus) when Kafka is away.
      // kafkajs warns that this weakens idempotence; duplicates are absorbed downstream by event ids anyway.
      retry: { retries: settings.idempotent ? Math.max(1, settings.retries) : settings.retries },
      maxInFlightRequests: settings.idempotent ? 1 : undefined,
    });
    this.maxMessages = settings.batching?.maxMessages ?? 10_000;
    this.maxBytes = settings.batching?.maxBytes ?? 4 * 1024 * 1024;
  }

  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closed) return Promise.reject(new PulseError('kafka bus is closed'));
    validateOutgoing(topic, messages);
    if (messages.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const call: PendingCall = { remaining: messages.length, settled: false, resolve, reject };
      for (const m of messages) {
        const bytes =
          (m.key === null ? 0 : Buffer.byteLength(m.key)) +
          (typeof m.value === 'string' ? Buffer.byteLength(m.value) : m.value.length);
        this.queue.push({ topic, message: { key: m.key, value: m.value, headers: m.headers }, bytes, call });
      }
      this.kick();
    });
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      // A publish that arrived while the last loop was ending is still queued.
      if (this.queue.length > 0) this.kick();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.draining) await this.draining;
    if (this.connecting) await this.producer.disconnect();
  }

  /** Connects once (the first publish does it too); a broker that cannot serve an idempotent producer is a ConfigError naming KAFKA_IDEMPOTENT. */
  connect(): Promise<void> {
    this.connecting ??= this.producer.connect().catch(async (error) => {
      this.connecting = null;
      const message = error instanceof Error ? error.message : String(error);
      // An idempotent producer asks the cluster's controller for a producer id first: a broker
      // without that support (e.g. librdkafka's mock cluster) names a controller that is none of its
      // brokers. Only that is a setting to change; a controller missing for a moment is not.
      if (this.settings.idempotent && IDEMPOTENCE_UNSUPPORTED.test(message) && (await this.controllerUnknown())) {
        throw new ConfigError(
          'KAFKA_IDEMPOTENT',
          `KAFKA_IDEMPOTENT is true (the default), but the Kafka cluster cannot serve an idempotent producer (${message}); set KAFKA_IDEMPOTENT=false for this broker`,
        );
      }
      throw toPulseError(error, 'cannot connect the Kafka producer');
    });
    return this.connecting;
  }

  /** Whether the cluster names a controller that is none of its brokers (false when that cannot be told). */
  private async controllerUnknown(): Promise<boolean> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const { brokers, controller } = await admin.describeCluster();
      return controller === null || !brokers.some((b) => b.nodeId === controller);
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private async drain(): Promise<void> {
    // Let the publish calls of this tick join the first request.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const chunk = this.takeChunk();
      try {
        await this.connect();
        const byTopic = new Map<string, Message[]>();
        for (const p of chunk) {
          let list = byTopic.get(p.topic);
          if (!list) byTopic.set(p.topic, (list = []));
          list.push(p.message);
        }
        const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
        await this.producer.sendBatch({
          topicMessages,
          acks: -1,
          compression: this.settings.gzip ? CompressionTypes.GZIP : CompressionTypes.None,
        });
        for (const p of chunk) {
          if (--p.call.remaining === 0 && !p.call.settled) {
            p.call.settled = true;
            p.call.resolve();
          }
        }
      } catch (error) {
        const failure = toPulseError(error, 'publishing to Kafka failed');
        for (const p of chunk) {
          if (!p.call.settled) {
            p.call.settled = true;
            p.call.reject(failure);
          }
        }
      }
    }
  }

  private takeChunk(): Pending[] {
    let count = 0;
    let bytes = 0;
    while (
      count < this.queue.length &&
      count < this.maxMessages &&
      (count === 0 || bytes + this.queue[count].bytes <= this.maxBytes)
    ) {
      bytes += this.queue[count].bytes;
      count++;
    }
    return this.queue.splice(0, count);
  }
}
