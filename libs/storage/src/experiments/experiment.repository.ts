import type { DataSource, EntityManager } from 'typeorm';
import { assertInteger, assertNonEmptyString, timeCall } from '@pulse/core';
import type { StorageOpObserver } from '../event-log/event-log.repository';
import { ExperimentExistsError, ExperimentNotFoundError, ExperimentVersionConflictError } from './experiment.errors';
import type {
  ExperimentMutation,
  ExperimentVersionRecord,
  ExposureRecord,
  MetricQuery,
  PendingExperimentChange,
  StoredExperiment,
  VariantMetricStats,
} from './experiment.types';
import { metricStatsSql } from './metric-value.sql';

// Every experiment write holds this transaction-scoped advisory lock: writes are rare, and a
// layer's namespace ranges can then be checked against all experiments without a race.
const EXPERIMENTS_LOCK = 724_031_601;
const COLUMNS = `key, version, status, definition, created_at, updated_at`;
const DECIMAL_ID = /^[1-9][0-9]{0,18}$/;

interface ExperimentRow {
  key: string;
  version: number;
  status: string;
  definition: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export interface ExperimentRepositoryOptions {
  readonly observe?: StorageOpObserver;
}

export interface WriteExperimentOptions {
  readonly actor: string;
  /** Compare-and-set: the write fails unless the experiment is at this version. */
  readonly expectedVersion?: number;
}

/**
 * Experiments in Postgres: definitions with their version history, the change outbox (written in
 * the same transaction as the change it announces) and each unit's first exposure per experiment,
 * from which results' sufficient statistics are computed in SQL against the event log.
 */
export class ExperimentRepository {
  private readonly observe: StorageOpObserver | undefined;

  constructor(
    private readonly dataSource: DataSource,
    options: ExperimentRepositoryOptions = {},
  ) {
    this.observe = options.observe;
  }

  async list(): Promise<StoredExperiment[]> {
    const rows: ExperimentRow[] = await this.timed('experiments_list', () =>
      this.dataSource.query(`SELECT ${COLUMNS} FROM experiments ORDER BY key`),
    );
    return rows.map(fromRow);
  }

  async get(key: string): Promise<StoredExperiment> {
    assertNonEmptyString(key, 'key');
    const rows: ExperimentRow[] = await this.timed('experiments_get', () =>
      this.dataSource.query(`SELECT ${COLUMNS} FROM experiments WHERE key = $1`, [key]),
    );
    if (rows.length === 0) throw new ExperimentNotFoundError(key);
    return fromRow(rows[0]);
  }

  async versions(key: string): Promise<ExperimentVersionRecord[]> {
    assertNonEmptyString(key, 'key');
    const rows: {
      key: string;
      version: number;
      definition: Record<string, unknown>;
      actor: string;
      changed_at: Date;
    }[] = await this.timed('experiments_versions', () =>
      this.dataSource.query(
        `SELECT key, version, definition, actor, changed_at FROM experiment_versions WHERE key = $1 ORDER BY version`,
        [key],
      ),
    );
    if (rows.length === 0) throw new ExperimentNotFoundError(key);
    return rows.map((r) => ({
      key: r.key,
      version: r.version,
      definition: r.definition,
      actor: r.actor,
      changedAt: r.changed_at.toISOString(),
    }));
  }

  /** Creates `key` with the definition `mutate(null, others)` returns; ExperimentExistsError if it exists. */
  create(key: string, mutate: ExperimentMutation, options: WriteExperimentOptions): Promise<StoredExperiment> {
    return this.write(key, mutate, options, 'create');
  }

  /**
   * Replaces `key`'s definition with what `mutate(current, others)` returns (it may throw to refuse),
   * as the next version, and queues the change for experiments.changes.v1.
   */
  update(key: string, mutate: ExperimentMutation, options: WriteExperimentOptions): Promise<StoredExperiment> {
    return this.write(key, mutate, options, 'update');
  }

  private write(
    key: string,
    mutate: ExperimentMutation,
    options: WriteExperimentOptions,
    mode: 'create' | 'update',
  ): Promise<StoredExperiment> {
    assertNonEmptyString(key, 'key');
    assertNonEmptyString(options.actor, 'actor');
    if (options.expectedVersion !== undefined) assertInteger(options.expectedVersion, 'expectedVersion', 1);
    return this.timed(`experiments_${mode}`, () =>
      this.dataSource.transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock($1)`, [EXPERIMENTS_LOCK]);
        const all = ((await tx.query(`SELECT ${COLUMNS} FROM experiments ORDER BY key`)) as ExperimentRow[]).map(
          fromRow,
        );
        const current = all.find((e) => e.key === key) ?? null;
        if (mode === 'create' && current !== null) throw new ExperimentExistsError(key);
        if (mode === 'update' && current === null) throw new ExperimentNotFoundError(key);
        if (current !== null && options.expectedVersion !== undefined && current.version !== options.expectedVersion)
          throw new ExperimentVersionConflictError(key, options.expectedVersion, current.version);
        const definition = mutate(
          current,
          all.filter((e) => e.key !== key),
        );
        const version = (current?.version ?? 0) + 1;
        const stored: Record<string, unknown> = { ...definition, key, version };
        const status = typeof stored.status === 'string' ? stored.status : 'draft';
        const rows: ExperimentRow[] = await tx.query(
          `INSERT INTO experiments (key, version, status, definition, created_at, updated_at)
           VALUES ($1, $2, $3, $4::jsonb, clock_timestamp(), clock_timestamp())
           ON CONFLICT (key) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status,
             definition = EXCLUDED.definition, updated_at = EXCLUDED.updated_at
           RETURNING ${COLUMNS}`,
          [key, version, status, JSON.stringify(stored)],
        );
        await this.recordVersion(tx, key, version, stored, options.actor);
        return fromRow(rows[0]);
      }),
    );
  }

  private async recordVersion(
    tx: EntityManager,
    key: string,
    version: number,
    definition: Record<string, unknown>,
    actor: string,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO experiment_versions (key, version, definition, actor, changed_at) VALUES ($1, $2, $3::jsonb, $4, clock_timestamp())`,
      [key, version, JSON.stringify(definition), actor],
    );
    await tx.query(`INSERT INTO experiment_change_outbox (key, version) VALUES ($1, $2)`, [key, version]);
  }

  /** Changes not yet published, oldest first, with the definition they announce. */
  async pendingChanges(limit = 100): Promise<PendingExperimentChange[]> {
    assertInteger(limit, 'limit', 1, 10_000);
    const rows: {
      id: string;
      key: string;
      version: number;
      definition: Record<string, unknown>;
      actor: string;
      changed_at: Date;
    }[] = await this.timed('experiments_outbox_pending', () =>
      this.dataSource.query(
        `SELECT o.id::text AS id, v.key, v.version, v.definition, v.actor, v.changed_at
         FROM experiment_change_outbox o JOIN experiment_versions v ON v.key = o.key AND v.version = o.version
         WHERE o.published_at IS NULL ORDER BY o.id LIMIT $1`,
        [limit],
      ),
    );
    return rows.map((r) => ({
      id: r.id,
      key: r.key,
      version: r.version,
      definition: r.definition,
      actor: r.actor,
      changedAt: r.changed_at.toISOString(),
    }));
  }

  async markChangesPublished(ids: readonly string[]): Promise<void> {
    ids.forEach((id, i) => {
      if (typeof id !== 'string' || !DECIMAL_ID.test(id))
        throw new TypeError(`ids[${i}] must be an outbox id (decimal string), got ${JSON.stringify(id)}`);
    });
    if (ids.length === 0) return;
    await this.timed('experiments_outbox_mark', () =>
      this.dataSource.query(
        `UPDATE experiment_change_outbox SET published_at = now() WHERE id = ANY($1::bigint[]) AND published_at IS NULL`,
        [ids],
      ),
    );
  }

  /**
   * Records exposures: a unit's first exposure per experiment is kept (the earliest time wins, with
   * its variant), so redelivered or repeated exposures change nothing. Returns how many units were new.
   */
  async recordExposures(exposures: readonly ExposureRecord[]): Promise<number> {
    if (exposures.length === 0) return 0;
    // One row per (experiment, unit) in a statement: ON CONFLICT cannot touch a row twice.
    const first = new Map<string, ExposureRecord>();
    for (const x of exposures) {
      const id = `${x.experimentKey}\u0000${x.unitId}`;
      const seen = first.get(id);
      if (seen === undefined || x.exposedAtMs < seen.exposedAtMs) first.set(id, x);
    }
    const rows = [...first.values()];
    const inserted: { inserted: boolean }[] = await this.timed('experiments_exposures', () =>
      this.dataSource.query(
        `INSERT INTO experiment_exposures (experiment_key, unit_id, variant, exposure_id, first_exposed_ms)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
         ON CONFLICT (experiment_key, unit_id) DO UPDATE
           SET first_exposed_ms = EXCLUDED.first_exposed_ms, variant = EXCLUDED.variant, exposure_id = EXCLUDED.exposure_id
           WHERE EXCLUDED.first_exposed_ms < experiment_exposures.first_exposed_ms
         RETURNING (xmax = 0) AS inserted`,
        [
          rows.map((r) => r.experimentKey),
          rows.map((r) => r.unitId),
          rows.map((r) => r.variant),
          rows.map((r) => r.exposureId),
          rows.map((r) => r.exposedAtMs),
        ],
      ),
    );
    return inserted.filter((r) => r.inserted).length;
  }

  /** Units first exposed before `asOfMs` (default: all), per variant. */
  async exposureCounts(key: string, asOfMs = Number.MAX_SAFE_INTEGER): Promise<Map<string, number>> {
    assertNonEmptyString(key, 'key');
    assertInteger(asOfMs, 'asOfMs');
    const rows: { variant: string; n: number }[] = await this.timed('experiments_exposure_counts', () =>
      this.dataSource.query(
        `SELECT variant, count(*)::int AS n FROM experiment_exposures
         WHERE experiment_key = $1 AND first_exposed_ms < $2 GROUP BY variant`,
        [key, asOfMs],
      ),
    );
    return new Map(rows.map((r) => [r.variant, r.n]));
  }

  /** The metric's sufficient statistics per variant as of `asOfMs` (see metricStatsSql). */
  async metricStats(key: string, metric: MetricQuery, asOfMs: number): Promise<VariantMetricStats[]> {
    assertNonEmptyString(key, 'key');
    assertInteger(asOfMs, 'asOfMs');
    assertInteger(metric.windowMs, 'metric.windowMs', 1);
    const rows: Record<string, string | number>[] = await this.timed('experiments_metric_stats', () =>
      this.dataSource.query(metricStatsSql(metric.kind), [
        key,
        metric.eventType,
        metric.windowMs,
        metric.attribute ?? null,
        asOfMs,
      ]),
    );
    return rows.map((r) => ({
      variant: String(r.variant),
      n: Number(r.n),
      sum: Number(r.sum),
      sumSquares: Number(r.sum_squares),
      sumPre: Number(r.sum_pre),
      sumPreSquares: Number(r.sum_pre_squares),
      sumProduct: Number(r.sum_product),
    }));
  }

  private timed<T>(op: string, work: () => Promise<T>): Promise<T> {
    const observe = this.observe;
    return observe === undefined ? work() : timeCall(work, (seconds, ok) => observe(op, seconds, ok));
  }
}

function fromRow(r: ExperimentRow): StoredExperiment {
  return {
    key: r.key,
    version: r.version,
    status: r.status,
    definition: r.definition,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
