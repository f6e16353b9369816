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
import { entityHistories, foldBatchIntoStore, replayEvents, type EntityState, type FeatureRegistry, type OnlineStore, type StateCache } from '@pulse/features';
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

interface LogStage {
  /** Too late for the state and not in the log before: dead-lettered. */
  readonly tooLate: readonly EngagementEvent[];
  readonly logDuplicates: number;
}

interface FoldStage {
  readonly applied: number;
  readonly duplicates: number;
  readonly logged: () => Promise<LogStage>;
}

/**
 * One consumed batch -> validated events -> event log (Postgres) + online state (Redis) -> DLQ for the
 * rest. The bus commits the batch's offsets only once every effect is durable (beginBatch).
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

  /** The whole batch, effects included: resolves when everything is durable. */
  async ingestBatch(batch: readonly BusMessage[]): Promise<IngestResult> {
    const complete = await this.beginBatch(batch);
    return complete();
  }

  /**
   * The part of a batch that must run in partition order — decode, fold, write the states — and, as
   * the function it resolves to, the rest: the log append (already under way), dead letters and
   * metrics. That function is idempotent (the bus may run it again on a retriable failure), and the
   * batch is durable when it resolves; the consumer hands it to the bus (completeLater), which
   * commits the batch after it and meanwhile hands over the partition's next batch.
   */
  async beginBatch(batch: readonly BusMessage[]): Promise<() => Promise<IngestResult>> {
    const started = process.hrtime.bigint();
    const nowMs = Date.now();
    let folded: FoldStage;
    let dead: DeadLetterRecord[];
    let validMessages: BusMessage[];
    let valid: EngagementEvent[];
    try {
      ({ valid, validMessages, dead } = this.decode(batch, nowMs));
      folded = await this.fold(valid);
    } catch (err) {
      throw this.asIngestError(err, batch.length);
    }
    let finished: IngestResult | null = null;
    return async () => {
      if (finished) return finished;
      try {
        const logged = await folded.logged();
        const deadLetters = [...dead];
        const sources = logged.tooLate.length === 0 ? undefined : new Map(valid.map((e, i) => [e, validMessages[i]]));
        for (const event of logged.tooLate) {
          const message = sources!.get(event)!;
          deadLetters.push({
            reason: 'too_late',
            message: `event time is more than ${this.registry.allowedLatenessMs} ms behind the entity's newest event; it cannot be applied exactly`,
            field: 'event_time',
            ...this.sourceOf(message, message.headers[CONTENT_TYPE_HEADER], nowMs),
          });
        }
        await this.deadLetter(deadLetters);
        const duplicates = Math.max(folded.duplicates, logged.logDuplicates);
        const m = this.metrics;
        m.eventsConsumed.inc({ source: 'bus' }, batch.length);
        if (duplicates > 0) m.eventsDuplicate.inc(duplicates);
        m.batchSize.observe(batch.length);
        m.batchDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
        this.progress(batch.length, folded.applied, deadLetters.length);
        finished = { received: batch.length, applied: folded.applied, duplicates, deadLettered: deadLetters.length };
        return finished;
      } catch (err) {
        throw this.asIngestError(err, batch.length);
      }
    };
  }

  /**
   * Bad input never throws (it is dead-lettered), so what does is Postgres, Redis or Kafka failing:
   * retriable, the bus retries with backoff. Our own errors say for themselves.
   */
  private asIngestError(err: unknown, size: number): unknown {
    if (err instanceof PulseError) return err;
    return new ConnectionError(`ingesting a batch of ${size} failed: ${(err as Error).message}`, { cause: err });
  }

  private decode(batch: readonly BusMessage[], nowMs: number): { valid: EngagementEvent[]; validMessages: BusMessage[]; dead: DeadLetterRecord[] } {
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
    return { valid, validMessages, dead };
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
   * Folds into the online state, the log append started in between (beforePut) and left running: the
   * log then holds exactly the events the state took, which is what makes the offline replay equal
   * the online state. Resolves once the states are written; `logged` waits for the append (and, run
   * again after it failed, appends again: the log ignores ids it has).
   */
  private async fold(events: readonly EngagementEvent[]): Promise<FoldStage> {
    if (events.length === 0) return { applied: 0, duplicates: 0, logged: async () => ({ tooLate: [], logDuplicates: 0 }) };
    let accepted: readonly EngagementEvent[] = [];
    let tooLate: readonly EngagementEvent[] = [];
    let duplicates: readonly EngagementEvent[] = [];
    let append: Promise<LogStage> | null = null;
    const startAppend = () => {
      const running = this.appendToLog(accepted, tooLate, duplicates);
      // Awaited by logged(); until then a failure must not be an unhandled rejection.
      running.catch(() => undefined);
      return running;
    };
    const result = await foldBatchIntoStore(this.store, events, this.registry, {
      stateCache: this.stateCache,
      // Called again when a version conflict makes the fold start over: the last split is the one the state took.
      beforePut: async (acceptedNow, tooLateNow, duplicatesNow) => {
        accepted = acceptedNow;
        tooLate = tooLateNow;
        duplicates = duplicatesNow;
        append = startAppend();
      },
      loadMissing: (entityIds) => this.rebuildFromLog(entityIds),
    });
    if (result.rebuilt > 0) this.metrics.statesRebuilt.inc(result.rebuilt);
    let attempt = append ?? startAppend();
    let failed = false;
    return {
      applied: result.applied,
      duplicates: result.duplicates,
      logged: async () => {
        if (failed) attempt = startAppend();
        try {
          return await attempt;
        } catch (err) {
          failed = true;
          throw err;
        }
      },
    };
  }

  private async appendToLog(accepted: readonly EngagementEvent[], tooLate: readonly EngagementEvent[], duplicates: readonly EngagementEvent[]): Promise<LogStage> {
    // Events the state already has are most likely logged too: written apart, by a statement that
    // skips what the log has, so that the rest stays one cheap COPY.
    let appended;
    if (duplicates.length === 0) appended = await this.eventLog.appendMany(accepted);
    else {
      const seen = new Set(duplicates);
      const settled = await Promise.allSettled([
        this.eventLog.appendMany(accepted.filter((e) => !seen.has(e))),
        this.eventLog.appendMany(duplicates, { mayExist: true }),
      ]);
      // Both are over before a failure is reported: a retry must not race the other one.
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
      appended = { duplicateIds: settled.flatMap((s) => (s.status === 'fulfilled' ? s.value.duplicateIds : [])) };
    }
    // A redelivered event the state has forgotten (older than its dedup memory) looks too late;
    // if the log already has it, it was applied before and is only a duplicate.
    if (tooLate.length === 0) return { tooLate: [], logDuplicates: appended.duplicateIds.length };
    const known = await this.eventLog.existing(tooLate);
    return { tooLate: tooLate.filter((_, i) => !known[i]), logDuplicates: appended.duplicateIds.length };
  }

  /**
   * An entity without online state (new, or expired by TTL), or whose state was written under other
   * feature view definitions, starts from its history in the log.
   */
  private async rebuildFromLog(entityIds: readonly string[]): Promise<Map<string, EntityState>> {
    const states = new Map<string, EntityState>();
    for await (const { entityId, events } of entityHistories(this.eventLog.streamForEntities({ entityIds }))) states.set(entityId, replayEvents(events, this.registry));
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
