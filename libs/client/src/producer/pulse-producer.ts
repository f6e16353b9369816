import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { ConnectionError, PulseError } from '@pulse/core';
import {
  CONTENT_TYPE_HEADER,
  encodeEngagementEvent,
  LEARNING_ENGAGEMENT_CATALOG,
  Topics,
  validateEventCandidate,
  type AttributeValue,
  type Channel,
  type EngagementEvent,
  type EventTypeCatalog,
  type ProfileAttributes,
} from '@pulse/contracts';
import { createKafka, resolveConnection, type PulseConnectionOptions } from '../connection/client-connection';
import { eventIdFor } from './event-id';
import { InvalidEventError } from './invalid-event.error';

/** An engagement event to publish: an EngagementEvent whose id may be left to the producer. */
export interface EngagementEventInput {
  /** Your own unique id for the event. Leave it out to have one assigned (see idempotencyKey). */
  readonly eventId?: string;
  /**
   * Without an eventId: a key you can give again when you retry the same event (e.g. "<your table>:<row id>").
   * The event id is then derived from it (UUID v5), so a retried publish yields the same id and the
   * platform counts the event once. Without either, the id is a random UUID.
   */
  readonly idempotencyKey?: string;
  /** The entity (learner) the event is about; the record's key, so one entity's events stay in order. */
  readonly entityId: string;
  /** An event type of the catalog (learning engagement: lesson_sent, lesson_completed, ...). */
  readonly eventType: string;
  /** When it happened, epoch milliseconds (UTC). */
  readonly eventTimeMs: number;
  readonly channel: Channel;
  readonly contentId?: string;
  /** The attributes the event type declares. */
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  readonly profile?: ProfileAttributes;
}

export type EventFormat = 'json' | 'proto';

export interface PulseProducerOptions extends PulseConnectionOptions {
  /**
   * An idempotent kafkajs producer (no duplicates from its own retries). Default: KAFKA_IDEMPOTENT,
   * else true. A broker that cannot serve one (librdkafka's mock cluster) needs false.
   */
  readonly idempotent?: boolean;
  /** Default Topics.engagementEvents (engagement.events.v1). */
  readonly topic?: string;
  /** The catalog events are checked against. Default: the learning engagement catalog. */
  readonly catalog?: EventTypeCatalog;
  /** How far an event time may be ahead of now. Default 5 minutes, as at ingest. */
  readonly maxFutureSkewMs?: number;
  /** The format of publish() calls that do not name one. Default 'proto'. */
  readonly format?: EventFormat;
}

const INPUT_FIELDS = new Set([
  'eventId',
  'idempotencyKey',
  'entityId',
  'eventType',
  'eventTimeMs',
  'channel',
  'contentId',
  'attributes',
  'profile',
]);
/** The platform's validator names fields as on the wire; the caller wrote the TypeScript names. */
const INPUT_NAMES: Readonly<Record<string, string>> = {
  event_id: 'eventId',
  entity_id: 'entityId',
  event_type: 'eventType',
  event_time: 'eventTimeMs',
  content_id: 'contentId',
};

/** kafkajs's words when a cluster cannot give an idempotent producer its id (e.g. librdkafka's mock). */
const IDEMPOTENCE_UNSUPPORTED = /Broker -?\d+ not found in the cached metadata/;

/**
 * Publishes engagement events to the platform: each is checked as ingest would check it (nothing of a
 * call is sent if one event is refused), given an id when it has none, encoded as protobuf or JSON
 * with its content-type header, and keyed by its entity id with Kafka's default (murmur2) partitioner,
 * so it lands where the platform's own producers would put it.
 */
export class PulseProducer {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly idempotent: boolean;
  private readonly topic: string;
  private readonly catalog: EventTypeCatalog;
  private connecting: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: PulseProducerOptions = {}) {
    const connection = resolveConnection(options);
    this.kafka = createKafka(connection, options);
    this.idempotent = options.idempotent ?? connection.reader.bool('KAFKA_IDEMPOTENT', true);
    this.topic = options.topic ?? Topics.engagementEvents;
    this.catalog = options.catalog ?? LEARNING_ENGAGEMENT_CATALOG;
    this.producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: this.idempotent,
      maxInFlightRequests: this.idempotent ? 1 : undefined,
      // an idempotent producer needs retries: they are what it makes safe
      retry: { retries: Math.max(this.idempotent ? 1 : 0, options.retries ?? 5) },
      allowAutoTopicCreation: true,
    });
  }

  /** Connects once; publish() does it too. */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new PulseError('PulseProducer is disconnected'));
    this.connecting ??= this.producer.connect().catch((error: unknown) => {
      this.connecting = null;
      const message = error instanceof Error ? error.message : String(error);
      const hint =
        this.idempotent && IDEMPOTENCE_UNSUPPORTED.test(message)
          ? ' (a cluster that cannot serve idempotent producers needs idempotent: false or KAFKA_IDEMPOTENT=false)'
          : '';
      throw new ConnectionError(`cannot connect the Kafka producer: ${message}${hint}`, { cause: error });
    });
    return this.connecting;
  }

  /**
   * Checks, encodes and sends one event or a list (acknowledged by all in-sync replicas). Resolves to
   * the events as sent, ids included. An event the platform would refuse is an InvalidEventError
   * naming the event's index and field, and nothing of the call is sent.
   */
  async publish(
    events: EngagementEventInput | readonly EngagementEventInput[],
    options: { readonly format?: EventFormat } = {},
  ): Promise<EngagementEvent[]> {
    const list: readonly EngagementEventInput[] = Array.isArray(events) ? events : [events as EngagementEventInput];
    const format = options.format ?? this.options.format ?? 'proto';
    if (format !== 'json' && format !== 'proto')
      throw new TypeError(`format must be 'json' or 'proto', got ${JSON.stringify(format)}`);
    const nowMs = Date.now();
    const checked = list.map((input, i) => this.check(input, i, nowMs));
    if (checked.length === 0) return [];
    const messages: Message[] = checked.map((event) => {
      const encoded = encodeEngagementEvent(event, format === 'json' ? 'json' : 'protobuf');
      return {
        key: event.entityId,
        value: Buffer.from(encoded.bytes.buffer, encoded.bytes.byteOffset, encoded.bytes.byteLength),
        headers: { [CONTENT_TYPE_HEADER]: encoded.contentType },
      };
    });
    await this.connect();
    try {
      await this.producer.send({ topic: this.topic, acks: -1, messages });
    } catch (error) {
      const e = error as { message?: string; retriable?: boolean };
      const message = `publishing ${messages.length} event(s) to ${this.topic} failed: ${e?.message ?? String(error)}`;
      throw e?.retriable === false
        ? new PulseError(message, { cause: error })
        : new ConnectionError(message, { cause: error });
    }
    return checked;
  }

  /** Disconnects; publish() fails afterwards. */
  async disconnect(): Promise<void> {
    this.closed = true;
    if (this.connecting) {
      await this.connecting.catch(() => undefined);
      await this.producer.disconnect();
      this.connecting = null;
    }
  }

  private check(input: EngagementEventInput, index: number, nowMs: number): EngagementEvent {
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new InvalidEventError(
        index,
        'wrong_type',
        `an event must be an object, got ${input === null ? 'null' : typeof input}`,
      );
    const unknown = Object.keys(input)
      .filter((key) => !INPUT_FIELDS.has(key))
      .sort();
    if (unknown.length > 0)
      throw new InvalidEventError(
        index,
        'unknown_field',
        `${unknown[0]} is not a field of an engagement event`,
        unknown[0],
      );
    if (input.eventId !== undefined && input.idempotencyKey !== undefined) {
      throw new InvalidEventError(
        index,
        'invalid_value',
        'idempotencyKey is for events without an eventId; give one or the other',
        'idempotencyKey',
      );
    }
    if (input.idempotencyKey !== undefined && (typeof input.idempotencyKey !== 'string' || input.idempotencyKey === ''))
      throw new InvalidEventError(
        index,
        'invalid_value',
        'idempotencyKey must be a non-empty string',
        'idempotencyKey',
      );
    const result = validateEventCandidate(
      {
        eventId: input.eventId ?? eventIdFor(input.idempotencyKey),
        entityId: input.entityId,
        eventType: input.eventType,
        eventTime: input.eventTimeMs,
        channel: input.channel,
        contentId: input.contentId,
        attributes: input.attributes,
        profile: input.profile,
      },
      this.catalog,
      { nowMs, maxFutureSkewMs: this.options.maxFutureSkewMs },
    );
    if (!result.ok) {
      const { reason, field, message } = result.rejection;
      throw new InvalidEventError(
        index,
        reason,
        message,
        field === undefined ? undefined : (INPUT_NAMES[field] ?? field),
      );
    }
    return result.event;
  }
}
