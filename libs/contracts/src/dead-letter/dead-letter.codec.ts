import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs, timestampMs } from '@bufbuild/protobuf/wkt';
import { DeadLetterSchema } from '../gen/pulse/v1/dead_letter_pb';
import type { EventRejection } from '../validation/event-rejection';

/** A dead-letter record in TypeScript terms (the DeadLetter proto message, times as epoch ms). */
export interface DeadLetterRecord {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
  /** The record value exactly as consumed. */
  readonly original: Uint8Array;
  readonly originalContentType: string;
  readonly sourceTopic: string;
  readonly sourcePartition: number;
  /** Kafka offset as a decimal string (64-bit). */
  readonly sourceOffset: string;
  readonly sourceKey?: string;
  readonly failedAtMs: number;
  /** The service / consumer group that rejected it. */
  readonly service: string;
}

export interface DeadLetterSource {
  readonly original: Uint8Array;
  readonly originalContentType: string;
  readonly sourceTopic: string;
  readonly sourcePartition: number;
  readonly sourceOffset: string;
  readonly sourceKey?: string;
  readonly failedAtMs: number;
  readonly service: string;
}

/** Builds the DLQ record for a rejected event. */
export function deadLetterFor(rejection: EventRejection, source: DeadLetterSource): DeadLetterRecord {
  return {
    reason: rejection.reason,
    message: rejection.message,
    ...(rejection.field === undefined ? {} : { field: rejection.field }),
    ...source,
  };
}

/** DLQ records are always protobuf (content type application/x-protobuf). */
export function encodeDeadLetter(record: DeadLetterRecord): Uint8Array {
  return toBinary(
    DeadLetterSchema,
    create(DeadLetterSchema, {
      reason: record.reason,
      message: record.message,
      field: record.field,
      original: record.original,
      originalContentType: record.originalContentType,
      sourceTopic: record.sourceTopic,
      sourcePartition: record.sourcePartition,
      sourceOffset: record.sourceOffset,
      sourceKey: record.sourceKey,
      failedAt: timestampFromMs(record.failedAtMs),
      service: record.service,
    }),
  );
}

/** Throws (the DLQ is written by our own services, so a bad record there is a bug, not data). */
export function decodeDeadLetter(bytes: Uint8Array): DeadLetterRecord {
  const msg = fromBinary(DeadLetterSchema, bytes);
  return {
    reason: msg.reason,
    message: msg.message,
    ...(msg.field === undefined ? {} : { field: msg.field }),
    original: msg.original,
    originalContentType: msg.originalContentType,
    sourceTopic: msg.sourceTopic,
    sourcePartition: msg.sourcePartition,
    sourceOffset: msg.sourceOffset,
    ...(msg.sourceKey === undefined ? {} : { sourceKey: msg.sourceKey }),
    failedAtMs: msg.failedAt === undefined ? 0 : timestampMs(msg.failedAt),
    service: msg.service,
  };
}

/** JSON-friendly view for ops tooling and tests: original as base64, plus as text when it is UTF-8. */
export interface DeadLetterJson {
  reason: string;
  message: string;
  field?: string;
  original_base64: string;
  original_text?: string;
  original_content_type: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  source_key?: string;
  failed_at: string;
  service: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function deadLetterToJson(record: DeadLetterRecord): DeadLetterJson {
  let text: string | undefined;
  try {
    text = strictUtf8.decode(record.original);
  } catch {
    text = undefined;
  }
  const printable = text !== undefined && !/[\u0000-\u0008\u000e-\u001f]/.test(text);
  return {
    reason: record.reason,
    message: record.message,
    ...(record.field === undefined ? {} : { field: record.field }),
    original_base64: Buffer.from(record.original).toString('base64'),
    ...(printable ? { original_text: text } : {}),
    original_content_type: record.originalContentType,
    source_topic: record.sourceTopic,
    source_partition: record.sourcePartition,
    source_offset: record.sourceOffset,
    ...(record.sourceKey === undefined ? {} : { source_key: record.sourceKey }),
    failed_at: new Date(record.failedAtMs).toISOString(),
    service: record.service,
  };
}

/** The DLQ JSON view straight from record bytes. */
export function decodeDeadLetterJson(bytes: Uint8Array): DeadLetterJson {
  return deadLetterToJson(decodeDeadLetter(bytes));
}
