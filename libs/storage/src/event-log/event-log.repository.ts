import type { DataSource } from 'typeorm';
import type { EngagementEvent } from '@pulse/contracts';
import { assertInteger, ValidationError } from '@pulse/core';
import { EVENT_COLUMNS, eventFromRow, type EventRow } from './event-row';

/** Called after every database round trip; lets the app feed a latency histogram without this lib knowing prom-client. */
export type StorageOpObserver = (op: string, seconds: number, ok: boolean) => void;

export interface EventLogRepositoryOptions {
  /** Rows fetched per round trip when streaming. Default 5000. */
  readonly pageSize?: number;
  readonly observe?: StorageOpObserver;
  /**
   * Rows per INSERT statement of an append: a larger batch is written by several statements at once,
   * on as many pooled connections, so one batch's insert uses more than one Postgres backend (core).
   * Default 1000.
   */
  readonly appendChunkRows?: number;
}

export interface AppendResult {
  /** Rows actually written. */
  readonly inserted: number;
  /** Ids that were already in the log, or repeated within the batch (every repeat after the first). */
  readonly duplicateIds: string[];
}

export interface EventStreamQuery {
  /** Only these entities; all entities when omitted. */
  readonly entityIds?: readonly string[];
  /** Only events with event time up to this instant (epoch ms). */
  readonly untilMs?: number;
  /** Whether an event exactly at `untilMs` is included. Default true. */
  readonly untilInclusive?: boolean;
  /** Overrides the repository's page size for this stream. */
  readonly pageSize?: number;
}

interface Key {
  readonly entityId: string;
  readonly eventTimeMs: string;
  readonly eventId: string;
}

// Answers with the ids that were already in the log, not with every inserted one: usually no rows
// at all, where RETURNING event_id handed back (and the client parsed) one row per event.
const INSERT_SQL = `
  WITH input AS (
    SELECT r.i, r.e, r.t, r.ms, r.c, r.ct, r.a, r.p
    FROM json_to_recordset($1::json) AS r(i text, e text, t text, ms bigint, c text, ct text, a json, p json)
  ), inserted AS (
    INSERT INTO event_log (event_id, entity_id, event_type, event_time_ms, channel, content_id, attributes, profile)
    SELECT i, e, t, ms, c, ct, a, p FROM input
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
  )
  SELECT i AS event_id FROM input EXCEPT SELECT event_id FROM inserted`;

/**
 * The append-only event log. Appends are idempotent on event_id, so redelivered or re-sent events
 * never produce a second row; reads replay events in (entity, event time, event id) order.
 */
export class EventLogRepository {
  private readonly pageSize: number;
  private readonly observe?: StorageOpObserver;
  private readonly appendChunkRows: number;

  constructor(
    private readonly dataSource: DataSource,
    options: EventLogRepositoryOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 5000;
    assertInteger(this.pageSize, 'pageSize', 1);
    this.appendChunkRows = options.appendChunkRows ?? 1000;
    assertInteger(this.appendChunkRows, 'appendChunkRows', 1);
    this.observe = options.observe;
  }

  /**
   * Writes a batch in one statement: the rows travel as one JSON array expanded by
   * json_to_recordset(). The statement text and plan stay the same whatever the batch size, there is
   * no 65535-parameter ceiling, and the client's work is one native JSON.stringify — the earlier
   * eight-array unnest() form spent ~9% of the ingest thread escaping array literals in pg's JS.
   * Only the ids already in the log come back (see INSERT_SQL).
   */
  async appendMany(events: readonly EngagementEvent[]): Promise<AppendResult> {
    if (events.length === 0) return { inserted: 0, duplicateIds: [] };
    const n = events.length;
    // A repeat within the batch is a duplicate of its first occurrence: only first occurrences are sent.
    const firsts = new Set<string>();
    const rowsOut: { i: string; e: string; t: string; ms: number; c: string; ct: string | null; a: unknown; p: unknown }[] = [];
    for (let i = 0; i < n; i++) {
      const e = events[i];
      if (!Number.isSafeInteger(e.eventTimeMs)) {
        throw new ValidationError(`event ${e.eventId}: eventTimeMs must be an integer epoch ms, got ${e.eventTimeMs}`, {
          field: 'eventTimeMs',
        });
      }
      if (firsts.has(e.eventId)) continue;
      firsts.add(e.eventId);
      rowsOut.push({ i: e.eventId, e: e.entityId, t: e.eventType, ms: e.eventTimeMs, c: e.channel, ct: e.contentId ?? null, a: e.attributes, p: e.profile ?? null });
    }
    const rows = await this.timed('append', () => this.insertChunks(rowsOut));
    if (rows.length === 0 && rowsOut.length === n) return { inserted: n, duplicateIds: [] };
    const known = new Set(rows.map((r) => r.event_id));
    const duplicateIds: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = events[i].eventId;
      // The first occurrence of an id the log did not have is the written row; anything else is a duplicate.
      if (firsts.has(id) && !known.has(id)) firsts.delete(id);
      else duplicateIds.push(id);
    }
    return { inserted: rowsOut.length - rows.length, duplicateIds };
  }

  // Chunks commit independently: a failed append may leave some written, which its retry (the batch is
  // redelivered or refolded) finds as already there — idempotent, only duplicateIds then overcounts.
  private async insertChunks(rowsOut: readonly unknown[]): Promise<{ event_id: string }[]> {
    const size = this.appendChunkRows;
    if (rowsOut.length <= size) return this.dataSource.query(INSERT_SQL, [JSON.stringify(rowsOut)]);
    // Equal chunks: the statement that finishes last decides the append's time.
    const chunks = Math.ceil(rowsOut.length / size);
    const each = Math.ceil(rowsOut.length / chunks);
    const parts: Promise<{ event_id: string }[]>[] = [];
    for (let from = 0; from < rowsOut.length; from += each) {
      parts.push(this.dataSource.query(INSERT_SQL, [JSON.stringify(rowsOut.slice(from, from + each))]));
    }
    // Every statement is over before the append answers, even when one failed: a retry must not race them.
    const settled = await Promise.allSettled(parts);
    const out: { event_id: string }[] = [];
    for (const s of settled) {
      if (s.status === 'rejected') throw s.reason;
      for (const row of s.value) out.push(row);
    }
    return out;
  }

  /** The subset of `ids` already in the log. */
  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: { event_id: string }[] = await this.timed('existing_ids', () =>
      this.dataSource.query(`SELECT event_id FROM event_log WHERE event_id = ANY($1::text[])`, [ids]),
    );
    return new Set(rows.map((r) => r.event_id));
  }

  /**
   * Every matching event in (entity, event time, event id) order, fetched page by page with keyset
   * pagination over the replay index. At most two pages are held at once (the one being consumed and
   * the next, fetched ahead), and no connection is held between pages, so the caller may query the
   * database inside its loop, even on a one-connection pool.
   */
  async *streamForEntities(query: EventStreamQuery = {}): AsyncGenerator<EngagementEvent> {
    const pageSize = query.pageSize ?? this.pageSize;
    assertInteger(pageSize, 'pageSize', 1);
    if (query.untilMs !== undefined) assertInteger(query.untilMs, 'untilMs');
    if (query.entityIds !== undefined && query.entityIds.length === 0) return;
    let pending: Promise<EventRow[]> | undefined = this.fetchPage(query, pageSize, undefined);
    while (pending !== undefined) {
      const rows: EventRow[] = await pending;
      pending = undefined;
      if (rows.length === pageSize) {
        const last = rows[rows.length - 1];
        pending = this.fetchPage(query, pageSize, {
          entityId: last.entity_id,
          eventTimeMs: last.event_time_ms,
          eventId: last.event_id,
        });
        // Mark handled so a consumer that stops early does not leave an unhandled rejection behind.
        pending.catch(() => undefined);
      }
      for (const row of rows) yield eventFromRow(row);
    }
  }

  /** One entity's events up to `untilMs` (inclusive by default), in replay order; for single offline lookups. */
  async eventsForEntity(entityId: string, untilMs?: number, untilInclusive = true): Promise<EngagementEvent[]> {
    const params: unknown[] = [entityId];
    let sql = `SELECT ${EVENT_COLUMNS} FROM event_log WHERE entity_id = $1`;
    if (untilMs !== undefined) {
      assertInteger(untilMs, 'untilMs');
      params.push(untilMs);
      sql += ` AND event_time_ms ${untilInclusive ? '<=' : '<'} $2`;
    }
    sql += ' ORDER BY entity_id, event_time_ms, event_id';
    const rows: EventRow[] = await this.timed('events_for_entity', () => this.dataSource.query(sql, params));
    return rows.map(eventFromRow);
  }

  async count(): Promise<number> {
    const rows: { n: string }[] = await this.timed('count', () =>
      this.dataSource.query(`SELECT count(*) AS n FROM event_log`),
    );
    return Number(rows[0].n);
  }

  private fetchPage(query: EventStreamQuery, pageSize: number, after: Key | undefined): Promise<EventRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.entityIds !== undefined) {
      params.push(query.entityIds);
      where.push(`entity_id = ANY($${params.length}::text[])`);
    }
    if (query.untilMs !== undefined) {
      params.push(query.untilMs);
      where.push(`event_time_ms ${query.untilInclusive === false ? '<' : '<='} $${params.length}`);
    }
    if (after !== undefined) {
      params.push(after.entityId, after.eventTimeMs, after.eventId);
      const p = params.length;
      where.push(`(entity_id, event_time_ms, event_id) > ($${p - 2}, $${p - 1}::bigint, $${p})`);
    }
    params.push(pageSize);
    const sql =
      `SELECT ${EVENT_COLUMNS} FROM event_log` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY entity_id, event_time_ms, event_id LIMIT $${params.length}`;
    return this.timed('stream_page', () => this.dataSource.query(sql, params));
  }

  private async timed<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (this.observe === undefined) return fn();
    const start = process.hrtime.bigint();
    let ok = false;
    try {
      const result = await fn();
      ok = true;
      return result;
    } finally {
      this.observe(op, Number(process.hrtime.bigint() - start) / 1e9, ok);
    }
  }
}
