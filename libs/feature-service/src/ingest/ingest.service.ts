import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BusMessage } from '@pulse/bus';
import { ConnectionError, PulseError } from '@pulse/core';
import { isDataError, isTransient, unprocessable } from './failure-kinds';
import {
  CONTENT_TYPE_HEADER,
  decodeEngagementEvent,
  deadLetterFor,
  LEARNING_ENGAGEMENT_CATALOG,
  tooLateRejection,
  type DeadLetterRecord,
  type EngagementEvent,
} from '@pulse/contracts';
import {
  entityHistories,
  foldBatchIntoStore,
  replayEvents,
  type EntityState,
  type FeatureRegistry,
  type OnlineStore,
  type StateCache,
} from '@pulse/features';
import type { FsMetrics } from '../app/feature-service.metrics';
import type { AppendResult, DeadLetterWriter, EventLogRepository } from '@pulse/storage';
import type { FeatureServiceConfig } from '../config/feature-service.config';
import {
  DEAD_LETTERS,
  EVENT_LOG,
  FEATURE_REGISTRY,
  FEATURE_STATE_CACHE,
  FS_CONFIG,
  FS_METRICS,
  INGEST_STATUS,
  ONLINE_STORE,
} from '../app/tokens';
import type { IngestStatus } from './ingest-status';

export interface IngestResult {
  readonly received: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly deadLettered: number;
}

const SERVICE = 'feature-service';

interface FoldStage {
  readonly applied: number;
  /** Valid events skipped because their id was taken before (by the state, or the log at any time). */
  readonly duplicates: number;
  /** Too late for the state and not in the log before: dead-lettered. */
  readonly tooLate: readonly EngagementEvent[];
  /** Events no attempt could store (isolated by bisecting the batch): dead-lettered with the error. */
  readonly unprocessable: readonly { readonly event: EngagementEvent; readonly error: unknown }[];
}

const NOTHING: FoldStage = { applied: 0, duplicates: 0, tooLate: [], unprocessable: [] };

/** Attempts of a batch (or of a part of it, once bisected) that fails other than transiently, before it is split. */
const ISOLATION_ATTEMPTS = 3;

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
    @Inject(DEAD_LETTERS) private readonly deadLetters: DeadLetterWriter,
    @Inject(FS_METRICS) private readonly metrics: FsMetrics,
    // Shared with the read path: states this process wrote are served decoded, checked by version.
    @Inject(FEATURE_STATE_CACHE) private readonly stateCache: StateCache,
    @Inject(INGEST_STATUS) private readonly status: IngestStatus,
  ) {}

  /** The whole batch, effects included: resolves when everything is durable. */
  async ingestBatch(batch: readonly BusMessage[]): Promise<IngestResult> {
    const complete = await this.beginBatch(batch);
    return complete();
  }

  /**
   * The part of a batch that must run in partition order — decode, fold, append to the log, write the
   * states — and, as the function it resolves to, the rest: the dead letters (to the outbox) and the
   * metrics. That function is idempotent (the bus may run it again on a retriable failure), and the
   * batch is durable when it resolves; the consumer hands it to the bus (completeLater), which
   * commits the batch after it and meanwhile hands over the partition's next batch.
   */
  async beginBatch(batch: readonly BusMessage[]): Promise<() => Promise<IngestResult>> {
    const started = process.hrtime.bigint();
    const nowMs = Date.now();
    const partition = batch.length === 0 ? '' : `${batch[0].topic}:${batch[0].partition}`;
    let folded: FoldStage;
    let dead: DeadLetterRecord[];
    let validMessages: BusMessage[];
    let valid: EngagementEvent[];
    try {
      ({ valid, validMessages, dead } = this.decode(batch, nowMs));
      folded = await this.foldIsolating(valid, partition);
    } catch (err) {
      throw this.failed(partition, this.asIngestError(err, batch.length));
    }
    const deadLetters = [...dead];
    if (folded.tooLate.length > 0 || folded.unprocessable.length > 0) {
      const sources = new Map(valid.map((e, i) => [e, validMessages[i]]));
      const from = (event: EngagementEvent) => {
        const message = sources.get(event)!;
        return this.sourceOf(message, message.headers[CONTENT_TYPE_HEADER], nowMs);
      };
      for (const event of folded.tooLate)
        deadLetters.push({ ...tooLateRejection(this.registry.allowedLatenessMs), ...from(event) });
      for (const { event, error } of folded.unprocessable)
        deadLetters.push({ ...unprocessable(error), ...from(event) });
    }
    let finished: IngestResult | null = null;
    // The log and the states are written by now; what is left (dead letters, metrics) may finish while
    // the bus hands over the partition's next batch. It runs again if it failed: idempotent.
    return async () => {
      if (finished) return finished;
      try {
        await this.deadLetter(deadLetters);
      } catch (err) {
        throw this.failed(partition, this.asIngestError(err, batch.length));
      }
      this.status.succeeded(partition);
      const m = this.metrics;
      if (folded.applied > 0) m.eventsConsumed.inc({ source: 'bus' }, folded.applied);
      if (folded.duplicates > 0) m.eventsDuplicate.inc(folded.duplicates);
      m.batchSize.observe(batch.length);
      m.batchDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
      this.progress(batch.length, folded.applied, deadLetters.length);
      finished = {
        received: batch.length,
        applied: folded.applied,
        duplicates: folded.duplicates,
        deadLettered: deadLetters.length,
      };
      return finished;
    };
  }

  private failed(partition: string, err: unknown): unknown {
    this.status.failed(partition, err);
    return err;
  }

  /**
   * What reaches the bus is a store or the broker failing transiently (foldIsolating dead-letters
   * what fails otherwise): retriable, the bus retries with backoff. Our own errors say for themselves.
   */
  private asIngestError(err: unknown, size: number): unknown {
    if (err instanceof PulseError) return err;
    return new ConnectionError(`ingesting a batch of ${size} failed: ${(err as Error).message}`, { cause: err });
  }

  /**
   * fold(), and when it keeps failing other than transiently (a store refusing a value: Postgres
   * cannot hold it; a bug on one record), the batch is split in halves, each folded in turn (entity
   * order is kept), down to the records that fail alone: those are dead-lettered with the error and
   * the partition goes on. A transient failure (a store unreachable) is thrown: the bus retries.
   */
  private async foldIsolating(events: readonly EngagementEvent[], partition: string): Promise<FoldStage> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= ISOLATION_ATTEMPTS; attempt++) {
      try {
        return await this.fold(events);
      } catch (err) {
        if (isTransient(err)) throw err;
        lastError = err;
        // Down while it lasts: a partition being bisected does not move either.
        this.status.failed(partition, err);
        this.logger.warn(
          `a batch of ${events.length} failed (attempt ${attempt} of ${ISOLATION_ATTEMPTS}): ${(err as Error).message}`,
        );
        // A value the store refuses fails the same way every time: no point in trying it again.
        if (isDataError(err)) break;
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
    if (events.length === 1) return { ...NOTHING, unprocessable: [{ event: events[0], error: lastError }] };
    const mid = events.length >> 1;
    const first = await this.foldIsolating(events.slice(0, mid), partition);
    const second = await this.foldIsolating(events.slice(mid), partition);
    return {
      applied: first.applied + second.applied,
      duplicates: first.duplicates + second.duplicates,
      tooLate: [...first.tooLate, ...second.tooLate],
      unprocessable: [...first.unprocessable, ...second.unprocessable],
    };
  }

  private decode(
    batch: readonly BusMessage[],
    nowMs: number,
  ): { valid: EngagementEvent[]; validMessages: BusMessage[]; dead: DeadLetterRecord[] } {
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
    this.logger.log(
      `ingested ${w.received} events in ${(elapsed / 1000).toFixed(0)} s (${Math.round((w.received * 1000) / elapsed)}/s): ${w.applied} applied, ${w.deadLettered} dead-lettered`,
    );
    this.window = { since: Date.now(), received: 0, applied: 0, deadLettered: 0 };
  }

  /**
   * Folds into the online state, the log append started in between (beforePut) and awaited before the
   * states are written: the log then holds every event a state took, which is what makes the offline
   * replay equal the online state, also across a crash at any instant.
   */
  private async fold(events: readonly EngagementEvent[]): Promise<FoldStage> {
    if (events.length === 0) return NOTHING;
    let tooLate: readonly EngagementEvent[] = [];
    let knownLate = 0;
    const result = await foldBatchIntoStore(this.store, events, this.registry, {
      stateCache: this.stateCache,
      // Called again when the fold starts over: the last split is the one the state took.
      beforePut: async (accepted, late, duplicates) => {
        const logged = await this.appendToLog(accepted, late, duplicates);
        tooLate = logged.tooLate;
        knownLate = late.length - logged.tooLate.length;
        return { refused: logged.refused };
      },
      loadMissing: (entityIds) => this.rebuildFromLog(entityIds),
    });
    if (result.rebuilt > 0) this.metrics.statesRebuilt.inc(result.rebuilt);
    // Skipped as known ids: by the state, as too late but logged before, or refused by the log (logged at another time).
    return {
      applied: result.applied,
      duplicates: result.duplicates + knownLate + result.refused.length,
      tooLate,
      unprocessable: [],
    };
  }

  private async appendToLog(
    accepted: readonly EngagementEvent[],
    tooLate: readonly EngagementEvent[],
    duplicates: readonly EngagementEvent[],
  ): Promise<{ tooLate: readonly EngagementEvent[]; refused: readonly EngagementEvent[] }> {
    // Events the state has are in the log already (it is written first): only the others are appended.
    const seen = duplicates.length === 0 ? undefined : new Set(duplicates);
    const settled = await Promise.allSettled([
      // A redelivered event the state has forgotten (older than its dedup memory) looks too late;
      // if the log has its id, it was applied before and is only a duplicate.
      tooLate.length === 0 ? Promise.resolve([]) : this.eventLog.existing(tooLate),
      this.eventLog.appendMany(seen === undefined ? accepted : accepted.filter((e) => !seen.has(e))),
    ]);
    // Both are over before a failure is reported: a retry must not race the other.
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [known, appended] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
      boolean[],
      AppendResult,
    ];
    // Their id is logged at another time: a re-send with other content, which the state must not take.
    return { tooLate: tooLate.filter((_, i) => !known[i]), refused: appended.conflicts };
  }

  /**
   * An entity without online state (new, or expired by TTL), or whose state was written under other
   * feature view definitions, starts from its history in the log.
   */
  private async rebuildFromLog(entityIds: readonly string[]): Promise<Map<string, EntityState>> {
    const states = new Map<string, EntityState>();
    for await (const { entityId, events } of entityHistories(this.eventLog.streamForEntities({ entityIds })))
      states.set(entityId, replayEvents(events, this.registry));
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

  /** Durable and idempotent: a redelivered batch's dead letters are in the outbox already, and counted once. */
  private async deadLetter(records: readonly DeadLetterRecord[]): Promise<void> {
    if (records.length === 0) return;
    const { addedByReason } = await this.deadLetters.write(records);
    for (const [reason, n] of Object.entries(addedByReason)) this.metrics.eventsRejected.inc({ reason }, n);
  }
}
