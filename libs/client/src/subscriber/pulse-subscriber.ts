import type { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { ConnectionError, PulseError } from '@pulse/core';
import { CONTENT_TYPE_HEADER, decodePrediction, Topics, type PredictionMessage } from '@pulse/contracts';
import { createKafka, resolveConnection, type PulseConnectionOptions } from '../connection/client-connection';

/** Where a record came from, for logs and for skipping it knowingly. */
export interface PredictionRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The entity id the record is keyed by. */
  readonly key: string | null;
}

export type PredictionHandler = (prediction: PredictionMessage, record: PredictionRecord) => void | Promise<void>;

export interface SubscribePredictionsOptions {
  /** Your consumer group: its committed offsets say where a restarted subscriber resumes. */
  readonly groupId: string;
  /** A group without committed offsets starts at the topic's start (true) or its end (false, the default). */
  readonly fromBeginning?: boolean;
  /** Default Topics.predictions(model), i.e. predictions.<model>.v1. */
  readonly topic?: string;
  /**
   * A record that is not a valid Prediction (undecodable, or a field out of its contract): reported
   * here (a ContractMessageError naming the field) and skipped; the stream goes on. Default: one line
   * on stderr.
   */
  readonly onError?: (error: Error, record: PredictionRecord) => void;
}

export interface PulseSubscriberOptions extends PulseConnectionOptions {
  /** Default: KAFKA_SESSION_TIMEOUT_MS, else 6000 (the least most brokers allow). */
  readonly sessionTimeoutMs?: number;
  /** Default 500. */
  readonly heartbeatIntervalMs?: number;
  /** Longest a fetch waits for new records. Default 200. */
  readonly maxWaitTimeMs?: number;
}

/** One running subscription; stop() leaves the group cleanly (offsets of handled records committed). */
export interface PredictionSubscription {
  readonly topic: string;
  readonly groupId: string;
  stop(): Promise<void>;
}

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  // A repeated header keeps its last value, as most Kafka clients' "lastHeader" does.
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined ? undefined : last.toString();
}

function reportToStderr(error: Error, record: PredictionRecord): void {
  process.stderr.write(
    `@pulse/client: skipped ${record.topic}[${record.partition}]@${record.offset} (key ${record.key ?? 'none'}): ${error.message}\n`,
  );
}

/**
 * Subscribes to models' predictions: each record is decoded by its content-type header (protobuf or
 * JSON) into a typed PredictionMessage and handed to your handler, one at a time per partition, in
 * order. A handler that throws gets the same prediction again (kafkajs retries it, then restarts the
 * consumer), so catch what you mean to skip. disconnect() stops every subscription of this subscriber.
 */
export class PulseSubscriber {
  private readonly kafka: Kafka;
  private readonly sessionTimeoutMs: number;
  private readonly subscriptions = new Set<PredictionSubscription>();
  private closed = false;

  constructor(private readonly options: PulseSubscriberOptions = {}) {
    const connection = resolveConnection(options);
    this.kafka = createKafka(connection, options);
    this.sessionTimeoutMs =
      options.sessionTimeoutMs ?? connection.reader.int('KAFKA_SESSION_TIMEOUT_MS', 6000, 1000, 300_000);
  }

  /** Joins `groupId` on the model's prediction topic and starts handing predictions to `handler`. */
  async subscribePredictions(
    model: string,
    handler: PredictionHandler,
    options: SubscribePredictionsOptions,
  ): Promise<PredictionSubscription> {
    if (this.closed) throw new PulseError('PulseSubscriber is disconnected');
    if (typeof model !== 'string' || !/^[A-Za-z0-9._-]+$/.test(model))
      throw new TypeError(`model must be a model name (letters, digits, '.', '_', '-'), got ${JSON.stringify(model)}`);
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    if (typeof options?.groupId !== 'string' || options.groupId === '')
      throw new TypeError('options.groupId must be a non-empty string');
    const topic = options.topic ?? Topics.predictions(model);
    const onError = options.onError ?? reportToStderr;
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? 500,
      maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 200,
      allowAutoTopicCreation: true,
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning ?? false });
      await consumer.run({
        eachMessage: async ({ topic: from, partition, message }) => {
          const record = { topic: from, partition, offset: message.offset, key: message.key?.toString() ?? null };
          const prediction = decodeRecord(message, record, onError);
          if (prediction !== undefined) await handler(prediction, record);
        },
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw new ConnectionError(
        `cannot subscribe group ${options.groupId} to ${topic}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const subscription = this.track(topic, options.groupId, consumer);
    return subscription;
  }

  /** Stops every subscription and disconnects. */
  async disconnect(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }

  private track(topic: string, groupId: string, consumer: Consumer): PredictionSubscription {
    let stopping: Promise<void> | null = null;
    const subscription: PredictionSubscription = {
      topic,
      groupId,
      stop: () => {
        stopping ??= (async () => {
          this.subscriptions.delete(subscription);
          // disconnect() stops the run loop after the message in hand and commits what was handled.
          await consumer.disconnect();
        })();
        return stopping;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }
}

function decodeRecord(
  message: KafkaMessage,
  record: PredictionRecord,
  onError: (error: Error, record: PredictionRecord) => void,
): PredictionMessage | undefined {
  try {
    return decodePrediction(message.value ?? Buffer.alloc(0), headerText(message.headers, CONTENT_TYPE_HEADER));
  } catch (error) {
    try {
      onError(error instanceof Error ? error : new Error(String(error)), record);
    } catch {
      // An onError that throws must not stop the stream it reports on.
    }
    return undefined;
  }
}

/**
 * The one-call form: a PulseSubscriber of its own, whose subscription's stop() also disconnects it.
 * Connection settings as for PulseSubscriber (options, else the KAFKA_* environment).
 */
export async function subscribePredictions(
  model: string,
  handler: PredictionHandler,
  options: SubscribePredictionsOptions & PulseSubscriberOptions,
): Promise<PredictionSubscription> {
  const subscriber = new PulseSubscriber(options);
  const subscription = await subscriber.subscribePredictions(model, handler, options);
  return { topic: subscription.topic, groupId: subscription.groupId, stop: () => subscriber.disconnect() };
}
