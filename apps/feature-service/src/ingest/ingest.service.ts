import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BusMessage, OutgoingMessage, Publisher } from '@pulse/bus';
import { ConnectionError, PulseError } from '@pulse/core';
import {
  CONTENT_TYPE_HEADER,
  ContentTypes,
  decodeEngagementEvent,
  deadLetterFor,
  encodeDeadLetter,
  LEARNING_ENGAGEMENT_CATALOG,
  type DeadLetterRecord,
  type EngagementEvent,
} from '@pulse/contracts';
import { foldBatchIntoStore, replayEvents, type EntityState, type FeatureRegistry, type OnlineStore, type StateCache } from '@pulse/features';
import type { FsMetrics } from '../app/feature-service.metrics';
import type { EventLogRepository } from '@pulse/storage';
import type { FeatureServiceConfig } from '../config/feature-service.config';
import { EVENT_LOG, FEATURE_REGISTRY, FEATURE_STATE_CACHE, FS_CONFIG, FS_METRICS, ONLINE_STORE, PUBLISHER } from '../app/tokens';

export interface IngestResult {
  readonly received: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly deadLettered: number;
}

const SERVICE = 'feature-service';

/**
 * One consumed batch -> validated events -> event log (Postgres) + online state (Redis) -> DLQ for the
 * rest. Returns only when every effect is durable, so the bus commits the batch's offsets after it.
 * Redelivery is harmless: the log ignores known event ids and the online state skips applied ids.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger('Ingest');
  private window = { since: Date.now(), received: 0, applied: 0, deadLettered: 0 };

  constructor(
    @Inject(FS_CONFIG) private readonly config: FeatureServiceConfig,
    @Inject(EVENT_LOG) private readonly eventLog: EventLogRepository,
    @Inject(ONLINE_STORE) private readonly store: OnlineStore,
    @Inject(FEATURE_REGISTRY) private readonly registry: FeatureRegistry,
    @Inject(PUBLISHER) private readonly publisher: Publisher,
    @Inject(FS_METRICS) private readonly metrics: FsMetrics,
    // Shared with the read path: states this process wrote are served decoded, checked by version.
    @Inject(FEATURE_STATE_CACHE) private readonly stateCache: StateCache,
  ) {}

  async ingestBatch(batch: readonly BusMessage[]): Promise<IngestResult> {
    try {
      return await this.ingest(batch);
    } catch (err) {
      // Bad input never throws (it is dead-lettered), so what does is Postgres, Redis or Kafka
      // failing: retriable, the bus retries the batch with backoff. Our own errors say for themselves.
      if (err instanceof PulseError) throw err;
      throw new ConnectionError(`ingesting a batch of ${batch.length} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  private async ingest(batch: readonly BusMessage[]): Promise<IngestResult> {
    const started = process.hrtime.bigint();
    const nowMs = Date.now();
    const valid: EngagementEvent[] = [];
    // Each valid event's message, side by side: only too-late events (rare) look theirs up.
    const validMessages: BusMessage[] = [];
    const dead: DeadLetterRecord[] = [];
    for (const message of batch) {
      const contentType = message.headers[CONTENT_TYPE_HEADER];
      const decoded = decodeEngagementEvent(message.value, contentType, LEARNING_ENGAGEMENT_CATALOG, {
        nowMs,
        maxFutureSkewMs: this.config.maxFutureSkewMs,
      });
      if (decoded.ok) {
        valid.push(decoded.event);
        validMessages.push(message);
      } else {
        dead.push(deadLetterFor(decoded.rejection, this.sourceOf(message, contentType, nowMs)));
      }
    }

    const folded = await this.fold(valid);
    const sources = folded.tooLate.length === 0 ? undefined : new Map(valid.map((e, i) => [e, validMessages[i]]));
    for (const event of folded.tooLate) {
      const message = sources!.get(event)!;
      dead.push({
        reason: 'too_late',
        message: `event time is more than ${this.registry.allowedLatenessMs} ms behind the entity's newest event; it cannot be applied exactly`,
        field: 'event_time',
        ...this.sourceOf(message, message.headers[CONTENT_TYPE_HEADER], nowMs),
      });
    }
    await this.deadLetter(dead);

    const m = this.metrics;
    m.eventsConsumed.inc({ source: 'bus' }, batch.length);
    if (folded.duplicates > 0) m.eventsDuplicate.inc(folded.duplicates);
    m.batchSize.observe(batch.length);
    m.batchDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    this.progress(batch.length, folded.applied, dead.length);
    return { received: batch.length, applied: folded.applied, duplicates: folded.duplicates, deadLettered: dead.length };
  }

  /** One log line every 10 s while events flow, so an operator sees ingestion without a dashboard. */
  private progress(received: number, applied: number, deadLettered: number): void {
    const w = this.window;
    w.received += received;
    w.applied += applied;
    w.deadLettered += deadLettered;
    const elapsed = Date.now() - w.since;
    if (elapsed < 10_000) return;
    this.logger.log(`ingested ${w.received} events in ${(elapsed / 1000).toFixed(0)} s (${Math.round((w.received * 1000) / elapsed)}/s): ${w.applied} applied, ${w.deadLettered} dead-lettered`);
    this.window = { since: Date.now(), received: 0, applied: 0, deadLettered: 0 };
  }

  /**
   * Folds into the online state and appends to the log in between (beforePut): the log then holds
   * exactly the events the state took, which is what makes the offline replay equal the online state.
   */
  private async fold(events: readonly EngagementEvent[]): Promise<{ applied: number; duplicates: number; tooLate: EngagementEvent[] }> {
    if (events.length === 0) return { applied: 0, duplicates: 0, tooLate: [] };
    let tooLateNew: EngagementEvent[] = [];
    let logDuplicates = 0;
    const result = await foldBatchIntoStore(this.store, events, this.registry, {
      stateCache: this.stateCache,
      beforePut: async (accepted, tooLate) => {
        const appended = await this.eventLog.appendMany(accepted);
        logDuplicates = appended.duplicateIds.length;
        // A redelivered event the state has forgotten (older than its dedup memory) looks too late;
        // if the log already has it, it was applied before and is only a duplicate.
        if (tooLate.length === 0) {
          tooLateNew = [];
          return;
        }
        const known = await this.eventLog.existingIds(tooLate.map((e) => e.eventId));
        tooLateNew = tooLate.filter((e) => !known.has(e.eventId));
      },
      loadMissing: (entityIds) => this.rebuildFromLog(entityIds),
    });
    return { applied: result.applied, duplicates: Math.max(result.duplicates, logDuplicates), tooLate: tooLateNew };
  }

  /** An entity without online state (new, or expired by TTL) starts from its history in the log. */
  private async rebuildFromLog(entityIds: readonly string[]): Promise<Map<string, EntityState>> {
    const states = new Map<string, EntityState>();
    let current: string | null = null;
    let events: EngagementEvent[] = [];
    const flush = () => {
      if (current !== null) states.set(current, replayEvents(events, this.registry));
    };
    for await (const e of this.eventLog.streamForEntities({ entityIds })) {
      if (e.entityId !== current) {
        flush();
        current = e.entityId;
        events = [];
      }
      events.push(e);
    }
    flush();
    return states;
  }

  private sourceOf(message: BusMessage, contentType: string | undefined, nowMs: number) {
    return {
      original: message.value,
      originalContentType: contentType ?? '',
      sourceTopic: message.topic,
      sourcePartition: message.partition,
      sourceOffset: message.offset,
      ...(message.key === null ? {} : { sourceKey: message.key }),
      failedAtMs: nowMs,
      service: SERVICE,
    };
  }

  private async deadLetter(records: readonly DeadLetterRecord[]): Promise<void> {
    if (records.length === 0) return;
    const messages: OutgoingMessage[] = records.map((r) => {
      const bytes = encodeDeadLetter(r);
      return {
        key: r.sourceKey ?? null,
        value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        headers: { [CONTENT_TYPE_HEADER]: ContentTypes.protobuf, 'x-pulse-reason': r.reason },
      };
    });
    await this.publisher.publish(this.config.topics.dlq, messages);
    for (const r of records) this.metrics.eventsRejected.inc({ reason: r.reason });
  }
}
