import type { DataSource } from 'typeorm';
import { CONTENT_TYPE_HEADER, ContentTypes, encodeDeadLetter, type DeadLetterRecord } from '@pulse/contracts';
import { assertNonEmptyString } from '@pulse/core';
import type { StorageOpObserver } from '../event-log/event-log.repository';
import {
  DeadLetterOutboxRepository,
  type OutboxAddResult,
  type OutboxBacklog,
  type OutboxRecord,
} from './dead-letter-outbox.repository';
import { DeadLetterRelay, type DeadLetterRelayOptions, type RelayBus } from './dead-letter-relay';

/** The header naming a dead letter's reason (what feature-service has always sent). */
export const DEAD_LETTER_REASON_HEADER = 'x-pulse-reason';

export interface DeadLetterOutboxOptions extends DeadLetterRelayOptions {
  /** Database round trips, for a latency histogram (op names `outbox_*`, `relay_*`). */
  readonly observe?: StorageOpObserver;
}

/**
 * Most bytes of the original record a dead letter carries (512 KiB). A record near the source topic's
 * size limit (Kafka's default is 1 MiB) would make a dead letter the DLQ topic refuses, and a row
 * that can never be published holds the outbox back; past this the original is cut, and the message
 * says so.
 */
export const MAX_DEAD_LETTER_ORIGINAL_BYTES = 512 * 1024;

/** A dead letter as the outbox keeps it and the relay publishes it (protobuf DeadLetter, keyed by the source key). */
export function deadLetterOutboxRecord(
  whole: DeadLetterRecord,
  topic: string,
  maxOriginalBytes = MAX_DEAD_LETTER_ORIGINAL_BYTES,
): OutboxRecord {
  const size = whole.original.byteLength;
  const record =
    size <= maxOriginalBytes
      ? whole
      : {
          ...whole,
          original: whole.original.subarray(0, maxOriginalBytes),
          message: `${whole.message} (original cut to its first ${maxOriginalBytes} of ${size} bytes)`,
        };
  return {
    sourceTopic: record.sourceTopic,
    sourcePartition: record.sourcePartition,
    sourceOffset: record.sourceOffset,
    topic,
    key: record.sourceKey ?? null,
    value: encodeDeadLetter(record),
    headers: { [CONTENT_TYPE_HEADER]: ContentTypes.protobuf, [DEAD_LETTER_REASON_HEADER]: record.reason },
    reason: record.reason,
  };
}

/** What a consumer needs to dead-letter records (DeadLetterOutbox; a stub in unit tests). */
export interface DeadLetterWriter {
  write(records: readonly DeadLetterRecord[]): Promise<OutboxAddResult>;
}

/**
 * Exactly-once dead letters: `write` makes a batch's dead letters durable in Postgres, once per source
 * record (topic, partition, offset), and the relay (`start`/`stop`) publishes each to the DLQ topic
 * once (see DeadLetterRelay). Call `write` in the batch's effect, before its offsets are committed:
 * a redelivered batch then writes nothing new, and nothing of it is published again.
 */
export class DeadLetterOutbox implements DeadLetterWriter {
  readonly repository: DeadLetterOutboxRepository;
  readonly relay: DeadLetterRelay;
  readonly topic: string;

  constructor(dataSource: DataSource, bus: RelayBus, options: DeadLetterOutboxOptions) {
    assertNonEmptyString(options.topic, 'topic');
    this.topic = options.topic;
    this.repository = new DeadLetterOutboxRepository(dataSource, { observe: options.observe });
    this.relay = new DeadLetterRelay(this.repository, bus, options);
  }

  /**
   * Durable and idempotent when it resolves: the records whose source is not in the outbox yet are
   * written (the others were written by an earlier delivery of their batch). Wakes the relay.
   */
  async write(records: readonly DeadLetterRecord[]): Promise<OutboxAddResult> {
    if (records.length === 0) return { added: 0, duplicates: 0, addedByReason: {} };
    const result = await this.repository.add(records.map((r) => deadLetterOutboxRecord(r, this.topic)));
    if (result.added > 0) this.relay.wake();
    return result;
  }

  /** Starts the relay: it publishes while it holds the topic's lease, and waits for it otherwise. */
  start(): void {
    this.relay.start();
  }

  /** Stops the relay gracefully (the chunk under way finishes; the lease is given up). */
  stop(): Promise<void> {
    return this.relay.stop();
  }

  /** Rows not yet published and the oldest one's age, for a gauge. */
  backlog(): Promise<OutboxBacklog> {
    return this.repository.backlog(this.topic);
  }
}
