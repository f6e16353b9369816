import type { DataSource } from 'typeorm';
import type { PartitionOffsets } from '@pulse/bus';
import { assertInteger, assertNonEmptyString, timeCall } from '@pulse/core';
import type { StorageOpObserver } from '../event-log/event-log.repository';

/** A message to publish to `topic` once, for one source record (its topic, partition and offset). */
export interface OutboxRecord {
  readonly sourceTopic: string;
  readonly sourcePartition: number;
  /** Kafka offset as a decimal string (64-bit). */
  readonly sourceOffset: string;
  /** Where the relay publishes it (the DLQ topic). */
  readonly topic: string;
  readonly key: string | null;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** For operators and metrics (the dead letter's reason). */
  readonly reason: string;
}

export interface OutboxAddResult {
  /** Rows written: records whose source was not in the outbox yet. */
  readonly added: number;
  /** Records left out because their source was there already (a redelivered batch) or repeated in the call. */
  readonly duplicates: number;
  /** The added rows by reason. */
  readonly addedByReason: Readonly<Record<string, number>>;
}

/** A row the relay publishes: `id` is its sequence number, carried by the message it becomes. */
export interface OutboxRow {
  readonly id: string;
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
  readonly reason: string;
}

/** A relay's hold on a topic: every state change it makes is fenced by holder and epoch. */
export interface RelayLease {
  readonly topic: string;
  readonly holder: string;
  /** Grows by one at each acquisition: whoever holds an older one has lost the lease. */
  readonly epoch: string;
  /** Identifies this outbox's messages in the topic (header), apart from other writers'. */
  readonly outboxId: string;
}

export interface ClaimResult {
  /** False: the lease was lost (nothing was claimed). */
  readonly leased: boolean;
  /** True: rows of the last chunk are still in flight; they must be resolved before a new claim. */
  readonly inFlightLeft: boolean;
  /** Oldest pending rows first, now in flight. */
  readonly rows: OutboxRow[];
}

export interface InFlight {
  /** The topic's end offsets recorded before the in-flight rows were published (null: none recorded). */
  readonly from: PartitionOffsets | null;
  readonly ids: string[];
}

export interface OutboxBacklog {
  readonly pending: number;
  readonly inFlight: number;
  /** Age of the oldest row not yet published, 0 when there is none. */
  readonly oldestUnpublishedMs: number;
}

export interface DeadLetterOutboxRepositoryOptions {
  readonly observe?: StorageOpObserver;
}

// The records travel as one JSON array (one statement text and plan whatever their number, no COPY:
// the embedded PGlite socket has none); rows are numbered in the records' order.
const ADD_SQL = `
  INSERT INTO dead_letter_outbox (source_topic, source_partition, source_offset, topic, message_key, value, headers, reason)
  SELECT r.st, r.sp, r.so, r.t, decode(r.k, 'base64'), decode(r.v, 'base64'), r.h, r.r
  FROM json_to_recordset($1::json) AS r(n int, st text, sp int, so bigint, t text, k text, v text, h json, r text)
  ORDER BY r.n
  ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING
  RETURNING reason`;

const ACQUIRE_SQL = `
  INSERT INTO dead_letter_relay AS r (topic, outbox_id, holder, epoch, lease_until)
  VALUES ($1, $2, $3, 1, clock_timestamp() + $4 * interval '1 millisecond')
  ON CONFLICT (topic) DO UPDATE
    SET holder = EXCLUDED.holder, epoch = r.epoch + 1, lease_until = EXCLUDED.lease_until, updated_at = now()
    WHERE r.holder IS NULL OR r.lease_until IS NULL OR r.lease_until < clock_timestamp() OR r.holder = EXCLUDED.holder
  RETURNING epoch::text AS epoch, outbox_id`;

const RENEW_SQL = `
  WITH renewed AS (
    UPDATE dead_letter_relay SET lease_until = clock_timestamp() + $4 * interval '1 millisecond', updated_at = now()
    WHERE topic = $1 AND holder = $2 AND epoch = $3 RETURNING 1
  )
  SELECT count(*)::int AS n FROM renewed`;

const RELEASE_SQL = `
  WITH released AS (
    UPDATE dead_letter_relay SET holder = NULL, lease_until = NULL, updated_at = now()
    WHERE topic = $1 AND holder = $2 AND epoch = $3 RETURNING 1
  )
  SELECT count(*)::int AS n FROM released`;

// Records the topic's end offsets and takes the oldest pending rows in flight, in one statement, only
// under the caller's lease and only when no row of the topic is in flight (the last chunk resolved).
const CLAIM_SQL = `
  WITH busy AS (
    SELECT EXISTS (SELECT 1 FROM dead_letter_outbox WHERE topic = $1 AND state = 'in_flight') AS b
  ), lease AS (
    UPDATE dead_letter_relay SET inflight_from = $4::json, updated_at = now()
    WHERE topic = $1 AND holder = $2 AND epoch = $3 AND NOT (SELECT b FROM busy) RETURNING topic
  ), claimed AS (
    UPDATE dead_letter_outbox o SET state = 'in_flight'
    FROM lease
    WHERE o.id IN (SELECT id FROM dead_letter_outbox WHERE topic = $1 AND state = 'pending' ORDER BY id LIMIT $5) AND o.state = 'pending'
    RETURNING o.id, o.message_key, o.value, o.headers, o.reason
  ), holds AS (
    SELECT EXISTS (SELECT 1 FROM dead_letter_relay WHERE topic = $1 AND holder = $2 AND epoch = $3) AS h
  )
  SELECT (EXISTS (SELECT 1 FROM lease) OR ((SELECT b FROM busy) AND (SELECT h FROM holds))) AS leased, (SELECT b FROM busy) AS busy, c.id::text AS id, c.message_key, c.value, c.headers, c.reason
  FROM (SELECT 1) AS one LEFT JOIN claimed c ON true
  ORDER BY c.id`;

const MARK_SQL = `
  WITH lease AS (
    UPDATE dead_letter_relay SET inflight_from = NULL, updated_at = now()
    WHERE topic = $1 AND holder = $2 AND epoch = $3 RETURNING topic
  ), marked AS (
    UPDATE dead_letter_outbox o SET state = 'published', published_at = now()
    FROM lease
    WHERE o.id = ANY($4::bigint[]) AND o.topic = $1 AND o.state = 'in_flight'
    RETURNING o.id
  )
  SELECT (SELECT count(*) FROM lease)::int AS leased, (SELECT count(*) FROM marked)::int AS marked`;

// The rows in flight that were found in the topic are published, the others pending again (the next
// claim takes them first); the recorded offsets go. Disjoint row sets: one statement may update both.
const RESOLVE_SQL = `
  WITH lease AS (
    UPDATE dead_letter_relay SET inflight_from = NULL, updated_at = now()
    WHERE topic = $1 AND holder = $2 AND epoch = $3 RETURNING topic
  ), landed AS (
    UPDATE dead_letter_outbox o SET state = 'published', published_at = now()
    FROM lease
    WHERE o.topic = $1 AND o.state = 'in_flight' AND o.id = ANY($4::bigint[])
    RETURNING o.id
  ), requeued AS (
    UPDATE dead_letter_outbox o SET state = 'pending'
    FROM lease
    WHERE o.topic = $1 AND o.state = 'in_flight' AND NOT (o.id = ANY($4::bigint[]))
    RETURNING o.id
  )
  SELECT (SELECT count(*) FROM lease)::int AS leased, (SELECT count(*) FROM landed)::int AS landed, (SELECT count(*) FROM requeued)::int AS requeued`;

// Only among the topic's oldest rows (primary key order), so it never scans the table; rows not
// published (or too young) stay, and the next call looks past the ones it deleted.
const PRUNE_SQL = `
  WITH gone AS (
    DELETE FROM dead_letter_outbox
    WHERE id IN (SELECT id FROM dead_letter_outbox WHERE topic = $1 ORDER BY id LIMIT $3)
      AND state = 'published' AND published_at < now() - $2 * interval '1 millisecond'
    RETURNING 1
  )
  SELECT count(*)::int AS n FROM gone`;

interface ClaimRow {
  leased: boolean;
  busy: boolean;
  id: string | null;
  message_key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string> | null;
  reason: string | null;
}

const DECIMAL = /^(0|[1-9][0-9]{0,18})$/;

/**
 * The dead-letter outbox in Postgres: `add` is the durable, idempotent write (a source record is
 * there once, whatever redelivers it), the rest is the relay's protocol (see DeadLetterRelay): a
 * lease per DLQ topic (holder + epoch, renewed; every change below is fenced by it), claims that record
 * the topic's end offsets before a chunk goes out, marks after the broker's ack, and the resolution
 * of a chunk left in flight from what a read-back found. Every statement stands alone (no transaction
 * spans an await), so it works on a pool of one connection (embedded PGlite).
 */
export class DeadLetterOutboxRepository {
  private readonly observe?: StorageOpObserver;

  constructor(
    private readonly dataSource: DataSource,
    options: DeadLetterOutboxRepositoryOptions = {},
  ) {
    this.observe = options.observe;
  }

  /**
   * Writes the records not in the outbox yet (by source topic, partition and offset) and leaves the
   * others: durable when it resolves; a redelivered batch adds nothing.
   */
  async add(records: readonly OutboxRecord[]): Promise<OutboxAddResult> {
    if (records.length === 0) return { added: 0, duplicates: 0, addedByReason: {} };
    const json = JSON.stringify(
      records.map((r, n) => {
        assertNonEmptyString(r.sourceTopic, `records[${n}].sourceTopic`);
        assertInteger(r.sourcePartition, `records[${n}].sourcePartition`, 0);
        if (typeof r.sourceOffset !== 'string' || !DECIMAL.test(r.sourceOffset))
          throw new TypeError(
            `records[${n}].sourceOffset must be a decimal offset, got ${JSON.stringify(r.sourceOffset)}`,
          );
        assertNonEmptyString(r.topic, `records[${n}].topic`);
        // The key as bytes: a source key may hold what Postgres text cannot (NUL), and must not stall the partition.
        const k = r.key === null ? null : Buffer.from(r.key, 'utf8').toString('base64');
        const v = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength).toString('base64');
        return {
          n,
          st: r.sourceTopic,
          sp: r.sourcePartition,
          so: r.sourceOffset,
          t: r.topic,
          k,
          v,
          h: r.headers,
          r: r.reason,
        };
      }),
    );
    const rows: { reason: string }[] = await this.timed('outbox_add', () => this.dataSource.query(ADD_SQL, [json]));
    const addedByReason: Record<string, number> = {};
    for (const { reason } of rows) addedByReason[reason] = (addedByReason[reason] ?? 0) + 1;
    return { added: rows.length, duplicates: records.length - rows.length, addedByReason };
  }

  /**
   * Takes the topic's lease for `leaseMs`, with a new epoch, if nobody holds it, the holder's ran out,
   * or `holder` holds it already (a relay that stepped down takes it back without waiting: nothing of
   * its own is under way). Null when another holds it. `holder` must be unique per relay.
   */
  async acquireLease(topic: string, holder: string, leaseMs: number, newOutboxId: string): Promise<RelayLease | null> {
    const rows: { epoch: string; outbox_id: string }[] = await this.timed('relay_acquire', () =>
      this.dataSource.query(ACQUIRE_SQL, [topic, newOutboxId, holder, leaseMs]),
    );
    return rows.length === 0 ? null : { topic, holder, epoch: rows[0].epoch, outboxId: rows[0].outbox_id };
  }

  /** Extends the lease by `leaseMs` from now; false when it was lost (another relay took it). */
  async renewLease(lease: RelayLease, leaseMs: number): Promise<boolean> {
    const rows: { n: number }[] = await this.timed('relay_renew', () =>
      this.dataSource.query(RENEW_SQL, [lease.topic, lease.holder, lease.epoch, leaseMs]),
    );
    return rows[0].n === 1;
  }

  /** Gives the lease up at once (a graceful stop), so another relay need not wait for it to run out. */
  async releaseLease(lease: RelayLease): Promise<boolean> {
    const rows: { n: number }[] = await this.timed('relay_release', () =>
      this.dataSource.query(RELEASE_SQL, [lease.topic, lease.holder, lease.epoch]),
    );
    return rows[0].n === 1;
  }

  /** Whether the topic has rows waiting to be published (cheap: the relay's idle poll). */
  async hasPending(topic: string): Promise<boolean> {
    const rows: { p: boolean }[] = await this.timed('outbox_poll', () =>
      this.dataSource.query(
        `SELECT EXISTS (SELECT 1 FROM dead_letter_outbox WHERE topic = $1 AND state = 'pending') AS p`,
        [topic],
      ),
    );
    return rows[0].p;
  }

  /**
   * Records `endOffsets` (the topic's, read before this call) and takes up to `limit` of the oldest
   * pending rows in flight, atomically and only under the lease, and only when nothing is in flight.
   */
  async claim(lease: RelayLease, endOffsets: PartitionOffsets, limit: number): Promise<ClaimResult> {
    assertInteger(limit, 'limit', 1);
    const rows: ClaimRow[] = await this.timed('outbox_claim', () =>
      this.dataSource.query(CLAIM_SQL, [lease.topic, lease.holder, lease.epoch, JSON.stringify(endOffsets), limit]),
    );
    const claimed: OutboxRow[] = [];
    for (const r of rows) {
      if (r.id !== null)
        claimed.push({
          id: r.id,
          key: r.message_key === null ? null : r.message_key.toString('utf8'),
          value: r.value!,
          headers: r.headers ?? {},
          reason: r.reason!,
        });
    }
    return { leased: rows[0].leased, inFlightLeft: rows[0].busy, rows: claimed };
  }

  /** Marks rows published (the broker acked them); false when the lease was lost (nothing marked). */
  async markPublished(lease: RelayLease, ids: readonly string[]): Promise<boolean> {
    const rows: { leased: number }[] = await this.timed('outbox_mark', () =>
      this.dataSource.query(MARK_SQL, [lease.topic, lease.holder, lease.epoch, ids]),
    );
    return rows[0].leased === 1;
  }

  /** The rows in flight and the end offsets recorded before they went out. */
  async inFlight(topic: string): Promise<InFlight> {
    const [relay, rows] = await this.timed('outbox_in_flight', () =>
      Promise.all([
        this.dataSource.query(`SELECT inflight_from FROM dead_letter_relay WHERE topic = $1`, [topic]) as Promise<
          { inflight_from: PartitionOffsets | null }[]
        >,
        this.dataSource.query(
          `SELECT o.id::text AS id FROM dead_letter_outbox o WHERE o.topic = $1 AND o.state = 'in_flight' ORDER BY o.id`,
          [topic],
        ) as Promise<{ id: string }[]>,
      ]),
    );
    return { from: relay[0]?.inflight_from ?? null, ids: rows.map((r) => r.id) };
  }

  /**
   * Settles the chunk left in flight: `landedIds` (found in the topic) published, the other in-flight
   * rows pending again, the recorded offsets cleared. Null when the lease was lost (nothing changed).
   */
  async resolveInFlight(
    lease: RelayLease,
    landedIds: readonly string[],
  ): Promise<{ landed: number; requeued: number } | null> {
    const rows: { leased: number; landed: number; requeued: number }[] = await this.timed('outbox_resolve', () =>
      this.dataSource.query(RESOLVE_SQL, [lease.topic, lease.holder, lease.epoch, landedIds]),
    );
    return rows[0].leased === 1 ? { landed: rows[0].landed, requeued: rows[0].requeued } : null;
  }

  /**
   * Deletes published rows older than `olderThanMs` among the topic's oldest `limit`; returns how
   * many. A source record whose row is gone would be added again if its batch came back after that.
   */
  async prune(topic: string, olderThanMs: number, limit = 1000): Promise<number> {
    assertInteger(limit, 'limit', 1);
    const rows: { n: number }[] = await this.timed('outbox_prune', () =>
      this.dataSource.query(PRUNE_SQL, [topic, olderThanMs, limit]),
    );
    return rows[0].n;
  }

  /** What waits to be published, for a gauge or a health check. */
  async backlog(topic: string): Promise<OutboxBacklog> {
    const rows: { pending: number; in_flight: number; oldest_ms: number | null }[] = await this.timed(
      'outbox_backlog',
      () =>
        this.dataSource.query(
          `SELECT count(*) FILTER (WHERE state = 'pending')::int AS pending, count(*) FILTER (WHERE state = 'in_flight')::int AS in_flight,
                (extract(epoch FROM clock_timestamp() - min(created_at)) * 1000)::float8 AS oldest_ms
         FROM dead_letter_outbox WHERE topic = $1 AND state <> 'published'`,
          [topic],
        ),
    );
    return {
      pending: rows[0].pending,
      inFlight: rows[0].in_flight,
      oldestUnpublishedMs: Math.max(0, rows[0].oldest_ms ?? 0),
    };
  }

  private timed<T>(op: string, work: () => Promise<T>): Promise<T> {
    const observe = this.observe;
    return observe === undefined ? work() : timeCall(work, (seconds, ok) => observe(op, seconds, ok));
  }
}
