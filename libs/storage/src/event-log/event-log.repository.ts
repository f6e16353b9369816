import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import type { EngagementEvent } from '@pulse/contracts';
import { assertInteger, ByteSinkPool, ValidationError, timeCall } from '@pulse/core';
import {
  EVENT_COLUMNS,
  EVENT_PAGE_ELEMENT,
  eventFromRow,
  eventFromTuple,
  type EventRow,
  type EventTuple,
} from './event-row';
import { COPY_BINARY_COLUMNS, copyBinaryRows } from './copy-binary';

/** Called after every database round trip; lets the app feed a latency histogram without this lib knowing prom-client. */
export type StorageOpObserver = (op: string, seconds: number, ok: boolean) => void;

export interface EventLogRepositoryOptions {
  /** Rows fetched per round trip when streaming. Default 5000. */
  readonly pageSize?: number;
  readonly observe?: StorageOpObserver;
  /** Rows per statement of an append (all of an append's statements are one transaction). Default 1000. */
  readonly appendChunkRows?: number;
  /**
   * How appends write: 'copy' (COPY … FROM STDIN, falling back to INSERT … ON CONFLICT for a chunk
   * that holds an event already in the log) or 'insert' (always INSERT … ON CONFLICT; for servers
   * without the COPY sub-protocol, such as the embedded PGlite socket). Default 'copy'.
   */
  readonly bulkLoad?: 'copy' | 'insert';
}

export interface AppendOptions {
  /**
   * Some of the events may be in the log already (e.g. ones the online state reports as duplicates):
   * written with INSERT … ON CONFLICT at once, rather than by a COPY that would fail on them first.
   */
  readonly mayExist?: boolean;
}

/** The log's replay key; an event id is unique per entity too (whatever its time). */
export type EventKey = Pick<EngagementEvent, 'entityId' | 'eventTimeMs' | 'eventId'>;

export interface AppendResult {
  /** Rows actually written. */
  readonly inserted: number;
  /** Ids that were already in the log at the same time, or repeated within the batch (every repeat after the first). */
  readonly duplicateIds: string[];
  /**
   * Events not written because the log holds their entity's id at another time: a re-send of a known
   * id with other content. An event id counts once per entity, so the first one logged stays.
   */
  readonly conflicts: EngagementEvent[];
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
  readonly eventTimeMs: number;
  readonly eventId: string;
}

// Answers with the keys that were already in the log, not with every inserted one: usually no rows
// at all, where RETURNING handed back (and the client parsed) one row per event.
const INSERT_SQL = `
  WITH input AS (
    SELECT r.i, r.e, r.t, r.ms, r.c, r.ct, r.a, r.p
    FROM json_to_recordset($1::json) AS r(i text, e text, t text, ms bigint, c text, ct text, a json, p json)
  ), inserted AS (
    INSERT INTO event_log (event_id, entity_id, event_type, event_time_ms, channel, content_id, attributes, profile)
    SELECT i, e, t, ms, c, ct, a, p FROM input
    ON CONFLICT DO NOTHING
    RETURNING entity_id, event_time_ms, event_id
  )
  SELECT e AS entity_id, ms AS event_time_ms, i AS event_id FROM input
  EXCEPT SELECT entity_id, event_time_ms, event_id FROM inserted`;

const COPY_SQL = `COPY event_log (${COPY_BINARY_COLUMNS}) FROM STDIN (FORMAT binary)`;

/** Postgres's unique_violation: a COPY met a row the log has. */
const UNIQUE_VIOLATION = '23505';

interface KnownRow {
  readonly entity_id: string;
  readonly event_time_ms: string;
  readonly event_id: string;
}

function keyOf(entityId: string, eventTimeMs: number | string, eventId: string): string {
  // NUL cannot occur in a Postgres text value, so it cannot occur inside these parts either.
  return `${entityId}\u0000${eventTimeMs}\u0000${eventId}`;
}

function idKeyOf(entityId: string, eventId: string): string {
  return `${entityId}\u0000${eventId}`;
}

/**
 * The append-only event log. Appends are idempotent on (entity, event time, event id), so
 * redelivered or re-sent events never produce a second row; reads replay events in that order.
 */
export class EventLogRepository {
  private readonly pageSize: number;
  private readonly observe?: StorageOpObserver;
  private readonly appendChunkRows: number;
  private readonly bulkLoad: 'copy' | 'insert';
  /** Where the COPYs write their rows, kept for the next appends (one per chunk written at once). */
  private readonly copySinks = new ByteSinkPool(256 * 1024, 8);

  constructor(
    private readonly dataSource: DataSource,
    options: EventLogRepositoryOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 5000;
    assertInteger(this.pageSize, 'pageSize', 1);
    this.appendChunkRows = options.appendChunkRows ?? 1000;
    assertInteger(this.appendChunkRows, 'appendChunkRows', 1);
    this.bulkLoad = options.bulkLoad ?? 'copy';
    if (this.bulkLoad !== 'copy' && this.bulkLoad !== 'insert')
      throw new RangeError(`bulkLoad must be 'copy' or 'insert', got ${String(this.bulkLoad)}`);
    this.observe = options.observe;
  }

  /**
   * Writes a batch atomically (one transaction: all of it or nothing, whatever fails or is killed
   * when), in chunks of appendChunkRows. Each chunk is a binary COPY (copy-binary.ts), the cheapest
   * write Postgres has (no statement to plan, no text to parse); an append that meets an event already
   * in the log is undone whole by Postgres and written again by INSERT … ON CONFLICT DO NOTHING, which
   * skips what is there. With `mayExist`, or bulkLoad
   * 'insert', every chunk is an INSERT: its rows travel as one JSON array expanded by
   * json_to_recordset() (one statement text and plan whatever the size, no parameter ceiling), and
   * only the keys already in the log come back (see INSERT_SQL).
   */
  async appendMany(events: readonly EngagementEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (events.length === 0) return { inserted: 0, duplicateIds: [], conflicts: [] };
    const n = events.length;
    // A repeat within the batch is a duplicate of its first occurrence: only first occurrences are sent.
    const firsts = new Set<string>();
    const rows: EngagementEvent[] = [];
    const duplicateIds: string[] = [];
    for (let i = 0; i < n; i++) {
      const e = events[i];
      if (!Number.isSafeInteger(e.eventTimeMs)) {
        throw new ValidationError(`event ${e.eventId}: eventTimeMs must be an integer epoch ms, got ${e.eventTimeMs}`, {
          field: 'eventTimeMs',
        });
      }
      const key = keyOf(e.entityId, e.eventTimeMs, e.eventId);
      if (firsts.has(key)) duplicateIds.push(e.eventId);
      else {
        firsts.add(key);
        rows.push(e);
      }
    }
    const insert = options.mayExist === true || this.bulkLoad === 'insert';
    const known = await this.timed('append', () => this.writeChunks(rows, insert));
    if (known.length === 0) return { inserted: rows.length, duplicateIds, conflicts: [] };
    // Not written: the log has the id, at this time (a duplicate) or another one (a conflict).
    const loggedAt = await this.loggedTimes(known.map((r) => ({ entityId: r.entity_id, eventId: r.event_id })));
    const conflicting = new Set<string>();
    for (const r of known) {
      if (loggedAt.get(idKeyOf(r.entity_id, r.event_id)) === String(r.event_time_ms)) duplicateIds.push(r.event_id);
      else conflicting.add(keyOf(r.entity_id, r.event_time_ms, r.event_id));
    }
    const conflicts =
      conflicting.size === 0 ? [] : rows.filter((e) => conflicting.has(keyOf(e.entityId, e.eventTimeMs, e.eventId)));
    return { inserted: rows.length - known.length, duplicateIds, conflicts };
  }

  /** The logged time of each (entity, id) the log has, keyed by idKeyOf. */
  private async loggedTimes(
    ids: readonly Pick<EngagementEvent, 'entityId' | 'eventId'>[],
  ): Promise<Map<string, string>> {
    const rows: KnownRow[] = await this.timed('logged_times', () =>
      this.dataSource.query(
        `SELECT l.entity_id, l.event_time_ms, l.event_id FROM event_log l
         JOIN unnest($1::text[], $2::text[]) AS k(e, i) ON l.entity_id = k.e AND l.event_id = k.i`,
        [ids.map((e) => e.entityId), ids.map((e) => e.eventId)],
      ),
    );
    return new Map(rows.map((r) => [idKeyOf(r.entity_id, r.event_id), String(r.event_time_ms)]));
  }

  /**
   * All chunks in one transaction, on one connection: an append is in the log whole or not at all. A
   * partial append (a chunk refused, or the process killed) would leave an entity's later events
   * logged without its earlier ones, and a state rebuilt from such a log would take those earlier
   * events, redelivered, for late ones. A COPY that meets a logged event aborts the transaction: the
   * append is then redone, whole, by INSERT … ON CONFLICT.
   */
  private async writeChunks(rows: readonly EngagementEvent[], insert: boolean): Promise<KnownRow[]> {
    const chunks: (readonly EngagementEvent[])[] = [];
    for (let from = 0; from < rows.length; from += this.appendChunkRows)
      chunks.push(rows.length <= this.appendChunkRows ? rows : rows.slice(from, from + this.appendChunkRows));
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    const client: PoolClient = await pool.connect();
    let failure: unknown;
    // A checked-out client has no 'error' listener of the pool's: a connection dropped mid-append would
    // be an unhandled 'error' event (a crash). The statement under way reports the same error right after.
    const onError = (error: unknown) => (failure ??= error);
    client.on('error', onError);
    try {
      if (!insert) {
        try {
          await this.inTransaction(client, async () => {
            for (const chunk of chunks) await this.copyChunk(client, chunk);
          });
          return [];
        } catch (error) {
          if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
        }
      }
      const known: KnownRow[] = [];
      await this.inTransaction(client, async () => {
        for (const chunk of chunks) for (const row of await this.insertChunk(client, chunk)) known.push(row);
      });
      return known;
    } catch (error) {
      failure ??= error;
      throw error;
    } finally {
      client.off('error', onError);
      // A connection whose append failed is closed rather than reused: its protocol state is not worth trusting.
      client.release(failure === undefined ? undefined : true);
    }
  }

  private async inTransaction(client: PoolClient, work: () => Promise<void>): Promise<void> {
    await client.query('BEGIN');
    try {
      await work();
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async insertChunk(client: PoolClient, rows: readonly EngagementEvent[]): Promise<KnownRow[]> {
    const json = JSON.stringify(
      rows.map((e) => ({
        i: e.eventId,
        e: e.entityId,
        t: e.eventType,
        ms: e.eventTimeMs,
        c: e.channel,
        ct: e.contentId ?? null,
        a: e.attributes,
        p: e.profile ?? null,
      })),
    );
    return (await client.query<KnownRow>(INSERT_SQL, [json])).rows;
  }

  private async copyChunk(client: PoolClient, rows: readonly EngagementEvent[]): Promise<void> {
    // Given back only once the COPY is over: until then the socket may still be sending from it.
    const sink = this.copySinks.take();
    try {
      copyBinaryRows(rows, sink);
      const data = sink.written();
      await new Promise<void>((resolve, reject) => {
        const stream = client.query(copyFrom(COPY_SQL));
        stream.on('finish', resolve);
        stream.on('error', reject);
        stream.end(data);
      });
    } finally {
      this.copySinks.give(sink);
    }
  }

  /** Whether the log has each event's id for its entity (at any time: an id counts once per entity), in their order. */
  async existing(events: readonly Pick<EngagementEvent, 'entityId' | 'eventId'>[]): Promise<boolean[]> {
    if (events.length === 0) return [];
    const logged = await this.loggedTimes(events);
    return events.map((e) => logged.has(idKeyOf(e.entityId, e.eventId)));
  }

  /**
   * Every matching event in (entity, event time, event id) order, fetched page by page with keyset
   * pagination over the replay index. At most two pages are held at once (the one being consumed and
   * the next, fetched ahead), and no connection is held between pages, so the caller may query the
   * database inside its loop, even on a one-connection pool.
   */
  async *streamForEntities(query: EventStreamQuery = {}): AsyncGenerator<EngagementEvent> {
    for await (const page of this.pagesForEntities(query)) yield* page;
  }

  /** The same stream a page at a time (one await per page, not per event: for replays that fold millions). */
  async *pagesForEntities(query: EventStreamQuery = {}): AsyncGenerator<EngagementEvent[]> {
    const pageSize = query.pageSize ?? this.pageSize;
    assertInteger(pageSize, 'pageSize', 1);
    if (query.untilMs !== undefined) assertInteger(query.untilMs, 'untilMs');
    if (query.entityIds !== undefined && query.entityIds.length === 0) return;
    const entities = query.entityIds === undefined ? undefined : inKeyOrder(query.entityIds);
    let pending: Promise<EventTuple[]> | undefined = this.fetchPage(query, entities, pageSize, undefined);
    while (pending !== undefined) {
      const rows: EventTuple[] = await pending;
      pending = undefined;
      if (rows.length === pageSize) {
        const last = rows[rows.length - 1];
        pending = this.fetchPage(query, entities, pageSize, {
          entityId: last[1],
          eventTimeMs: last[3],
          eventId: last[0],
        });
        // Mark handled so a consumer that stops early does not leave an unhandled rejection behind.
        pending.catch(() => undefined);
        // Let the pool hand out a connection and the query go out before the consumer works through
        // this page synchronously: otherwise Postgres starts on the next page only once this one is done.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (rows.length > 0) yield rows.map(eventFromTuple);
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

  /**
   * About how many events the log holds, from the planner's statistics (no scan: for progress bars);
   * the exact count where the table was never analyzed.
   */
  async estimatedCount(): Promise<number> {
    const rows: { n: string }[] = await this.timed('estimated_count', () =>
      this.dataSource.query(`SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'event_log'::regclass`),
    );
    const n = Number(rows[0]?.n ?? -1);
    return n >= 0 ? n : this.count();
  }

  async count(): Promise<number> {
    const rows: { n: string }[] = await this.timed('count', () =>
      this.dataSource.query(`SELECT count(*) AS n FROM event_log`),
    );
    return Number(rows[0].n);
  }

  /** `entities`: the query's entity ids in the log's key order (inKeyOrder), undefined for all. */
  private fetchPage(
    query: EventStreamQuery,
    entities: EntityIdsInKeyOrder | undefined,
    pageSize: number,
    after: Key | undefined,
  ): Promise<EventTuple[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (entities !== undefined) {
      // Only the entities from the last page's on: Postgres walks each listed entity's index entries
      // up to the keyset, so a page after the first listing every id took seconds for 1,000 entities.
      params.push(after === undefined ? entities.ids : entities.from(after.entityId));
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
    const order = 'ORDER BY entity_id, event_time_ms, event_id';
    const sql =
      `SELECT json_agg(${EVENT_PAGE_ELEMENT} ${order}) AS page FROM (SELECT ${EVENT_COLUMNS} FROM event_log` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ${order} LIMIT $${params.length}) p`;
    return this.timed('stream_page', async () => {
      const [row]: { page: EventTuple[] | null }[] = await this.dataSource.query(sql, params);
      return row?.page ?? [];
    });
  }

  private timed<T>(op: string, work: () => Promise<T>): Promise<T> {
    const observe = this.observe;
    return observe === undefined ? work() : timeCall(work, (seconds, ok) => observe(op, seconds, ok));
  }
}

interface EntityIdsInKeyOrder {
  readonly ids: readonly string[];
  /** The ids at or after `entityId` in key order. */
  from(entityId: string): readonly string[];
}

/**
 * Distinct ids sorted as the log's key sorts them: entity_id has collation "C", byte order of the
 * UTF-8 text (which JavaScript's UTF-16 comparison differs from above the BMP).
 */
function inKeyOrder(entityIds: readonly string[]): EntityIdsInKeyOrder {
  const keyed = [...new Set(entityIds)].map((id) => ({ id, bytes: Buffer.from(id, 'utf8') }));
  keyed.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const ids = keyed.map((k) => k.id);
  return {
    ids,
    from(entityId) {
      const bytes = Buffer.from(entityId, 'utf8');
      let lo = 0;
      let hi = keyed.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (Buffer.compare(keyed[mid].bytes, bytes) < 0) lo = mid + 1;
        else hi = mid;
      }
      return ids.slice(lo);
    },
  };
}
