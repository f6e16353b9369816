import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { assertInteger, assertNonEmptyString, timeCall } from '@pulse/core';
import type { StorageOpObserver } from '../event-log/event-log.repository';
import {
  AliasConflictError,
  ArtifactIntegrityError,
  ModelNotFoundError,
  VersionNotFoundError,
} from './model-registry.errors';
import {
  assertAliasName,
  assertArray,
  assertModelName,
  assertNewModelVersion,
  assertPlainObject,
  assertString,
  assertVersion,
  assertVersionOrNull,
} from './model-registry.guards';
import {
  ARTIFACT_COLUMNS,
  MOVE_COLUMNS,
  VERSION_COLUMNS,
  moveFromRow,
  sampleToJson,
  versionFromRow,
  type MoveRow,
  type VersionRow,
} from './model-registry.rows';
import type {
  AliasMove,
  AliasMovedEvent,
  AliasMoveResult,
  ArtifactKind,
  ModelArtifact,
  ModelLifecycleEvent,
  ModelRegisteredEvent,
  ModelSummary,
  ModelVersionRecord,
  MoveAliasInput,
  NewModelVersion,
  PendingLifecycleEvent,
} from './model-registry.types';
import { TrainingJobRepository } from './training-job.repository';
import type {
  CreateJobResult,
  JobOutcome,
  JobProgress,
  ListJobsOptions,
  NewTrainingJob,
  RecoverJobsOptions,
  TrainingJob,
} from './training-job.types';

// Two-key advisory locks (namespace, hashtext(name)), held to the end of the transaction. The
// two-key space is apart from the single-key migration lock; a hash collision only serialises two
// names that need not be.
const VERSION_LOCK = 724_031_501;
const ALIAS_LOCK = 724_031_502;

// Numbered under the model's lock: max + 1 read after the previous holder committed, so concurrent
// registrations get consecutive numbers. clock_timestamp(): created_at grows with the version.
const INSERT_VERSION_SQL = `
  INSERT INTO model_versions (model, version, spec_version, task, created_at, created_by, training_job_id, metrics, gates,
    gates_passed, signature, lineage, evaluation, report_html, onnx, onnx_sha256, model_json, model_json_sha256, test_sample, content_sha256)
  SELECT $1::text, coalesce(max(version), 0) + 1, $2::int, $3::text, clock_timestamp(), $4::text, $5::text, $6::jsonb, $7::jsonb,
    $8::boolean, $9::jsonb, $10::jsonb, $11::jsonb, $12::text, $13::bytea, $14::text, $15::text, $16::text, $17::jsonb, $18::text
  FROM model_versions WHERE model = $1
  RETURNING ${VERSION_COLUMNS}`;

const OUTBOX_SQL = `INSERT INTO model_lifecycle_outbox (payload) VALUES ($1::jsonb)`;

const ALIAS_STATE_SQL = `
  SELECT (SELECT version FROM model_aliases WHERE model = $1 AND alias = $2) AS current,
         EXISTS (SELECT 1 FROM model_versions WHERE model = $1) AS model_exists,
         ($3::int IS NULL OR EXISTS (SELECT 1 FROM model_versions WHERE model = $1 AND version = $3)) AS version_exists,
         (SELECT max(sequence) FROM model_alias_history WHERE model = $1 AND alias = $2) AS last_sequence`;

const INSERT_MOVE_SQL = `
  INSERT INTO model_alias_history (model, alias, from_version, to_version, actor, reason, moved_at, sequence)
  VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp(), $7)
  RETURNING ${MOVE_COLUMNS}`;

const UPSERT_ALIAS_SQL = `
  INSERT INTO model_aliases (model, alias, version, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (model, alias) DO UPDATE
    SET version = EXCLUDED.version, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`;

const LIST_MODELS_SQL = `
  SELECT v.model, max(v.version) AS latest_version, max(v.created_at) AS latest_created_at, count(*)::int AS version_count,
         coalesce((SELECT jsonb_object_agg(a.alias, a.version) FROM model_aliases a WHERE a.model = v.model), '{}'::jsonb) AS aliases
  FROM model_versions v GROUP BY v.model ORDER BY v.model`;

const CONTENT_TYPES: Record<ArtifactKind, string> = { onnx: 'application/octet-stream', json: 'application/json' };

const DECIMAL_ID = /^[1-9][0-9]{0,18}$/;

export interface ModelRegistryRepositoryOptions {
  readonly observe?: StorageOpObserver;
}

export interface GetVersionOptions {
  /** Also read the ONNX bytes, the model JSON and the report (large). Default false. */
  readonly withArtifacts?: boolean;
}

/**
 * The model registry in Postgres: versions with their artifacts, aliases with their history, the
 * training jobs, and the lifecycle outbox. A registration or an alias move and its lifecycle event
 * are one transaction: neither happens without the other. Inside a transaction only its own
 * connection is used, so a pool of one connection (embedded PGlite) serves it.
 */
export class ModelRegistryRepository {
  private readonly observe?: StorageOpObserver;
  private readonly jobs: TrainingJobRepository;

  constructor(
    private readonly dataSource: DataSource,
    options: ModelRegistryRepositoryOptions = {},
  ) {
    this.observe = options.observe;
    this.jobs = new TrainingJobRepository(dataSource, options);
  }

  /**
   * Registers the next version of the model (max + 1, consecutive even when registrations race),
   * computing the SHA-256 of the ONNX bytes and the model JSON, and queues its `registered` event.
   * `gatesPassed` is whether every gate passed. The record comes back without the artifacts unless asked.
   */
  async registerVersion(input: NewModelVersion, options: GetVersionOptions = {}): Promise<ModelVersionRecord> {
    assertNewModelVersion(input);
    const onnx = Buffer.from(input.onnx.buffer, input.onnx.byteOffset, input.onnx.byteLength);
    const onnxSha256 = sha256(onnx);
    const gatesPassed = input.gates.every((g) => g.passed);
    const trainingJobId = input.trainingJobId ?? null;
    let reportHtml = typeof input.reportHtml === 'string' ? input.reportHtml : '';
    const args = [
      input.model,
      input.specVersion,
      input.task,
      input.createdBy,
      trainingJobId,
      JSON.stringify(input.metrics),
      JSON.stringify(input.gates),
      gatesPassed,
      JSON.stringify(input.signature),
      JSON.stringify(input.lineage),
      JSON.stringify(input.evaluation),
      typeof input.reportHtml === 'string' ? input.reportHtml : '',
      onnx,
      onnxSha256,
      input.modelJson,
      sha256(Buffer.from(input.modelJson, 'utf8')),
      sampleToJson(input.testSample),
      input.contentSha256,
    ];
    const featureNames = [...input.signature.inputs].sort((a, b) => a.index - b.index).map((i) => i.name);
    const row = await this.timed('registry_register', () =>
      this.dataSource.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [VERSION_LOCK, input.model]);
        let [registered]: VersionRow[] = await tx.query(INSERT_VERSION_SQL, args);
        // typeorm answers an UPDATE … RETURNING with [rows, affected]
        if (input.referenceProfile !== undefined)
          [[registered]] = await tx.query(
            `UPDATE model_versions SET reference_profile = $3::jsonb WHERE model = $1 AND version = $2 RETURNING ${VERSION_COLUMNS}`,
            [input.model, registered.version, JSON.stringify(input.referenceProfile)],
          );
        if (typeof input.reportHtml === 'function') {
          // the report shows its own version number, known only now
          reportHtml = input.reportHtml(registered.version);
          await tx.query('UPDATE model_versions SET report_html = $3 WHERE model = $1 AND version = $2', [
            registered.model,
            registered.version,
            reportHtml,
          ]);
        }
        const jobs: { request_id: string }[] =
          trainingJobId === null
            ? []
            : await tx.query('SELECT request_id FROM training_jobs WHERE id = $1', [trainingJobId]);
        const event: ModelRegisteredEvent = {
          type: 'registered',
          eventId: randomUUID(),
          model: registered.model,
          version: registered.version,
          occurredAt: registered.created_at.toISOString(),
          gatesPassed,
          metrics: registered.metrics,
          onnxSha256,
          featureNames,
          trainingJobId,
          trainingRequestId: jobs[0]?.request_id ?? null,
        };
        await queueEvent(tx, event);
        return registered;
      }),
    );
    const record = versionFromRow(row);
    if (options.withArtifacts !== true) return record;
    return {
      ...record,
      artifacts: { onnx: Buffer.from(onnx), modelJson: input.modelJson, reportHtml },
    };
  }

  /** @throws ModelNotFoundError, VersionNotFoundError */
  async getVersion(model: string, version: number, options: GetVersionOptions = {}): Promise<ModelVersionRecord> {
    assertModelName(model, 'model');
    assertVersion(version, 'version');
    const columns = options.withArtifacts === true ? `${VERSION_COLUMNS}, ${ARTIFACT_COLUMNS}` : VERSION_COLUMNS;
    const rows: VersionRow[] = await this.timed('registry_get_version', () =>
      this.dataSource.query(`SELECT ${columns} FROM model_versions WHERE model = $1 AND version = $2`, [
        model,
        version,
      ]),
    );
    if (rows.length === 0) throw await this.versionMissing(model, version);
    return versionFromRow(rows[0]);
  }

  /**
   * The version a training job registered, null when it registered none: a job run again after a crash
   * finishes with the version its interrupted run registered instead of training a second one.
   */
  async versionByJob(jobId: string): Promise<ModelVersionRecord | null> {
    assertNonEmptyString(jobId, 'jobId');
    const rows: VersionRow[] = await this.timed('registry_version_by_job', () =>
      this.dataSource.query(
        `SELECT ${VERSION_COLUMNS} FROM model_versions WHERE training_job_id = $1 ORDER BY created_at, model, version LIMIT 1`,
        [jobId],
      ),
    );
    return rows.length === 0 ? null : versionFromRow(rows[0]);
  }

  /** Newest first, without artifacts. @throws ModelNotFoundError */
  async listVersions(model: string): Promise<ModelVersionRecord[]> {
    assertModelName(model, 'model');
    const rows: VersionRow[] = await this.timed('registry_list_versions', () =>
      this.dataSource.query(`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model = $1 ORDER BY version DESC`, [
        model,
      ]),
    );
    if (rows.length === 0) throw new ModelNotFoundError(model);
    return rows.map(versionFromRow);
  }

  /** Every model with a version, by name. */
  async listModels(): Promise<ModelSummary[]> {
    const rows: {
      model: string;
      latest_version: number;
      latest_created_at: Date;
      version_count: number;
      aliases: Record<string, number>;
    }[] = await this.timed('registry_list_models', () => this.dataSource.query(LIST_MODELS_SQL));
    return rows.map((r) => ({
      model: r.model,
      latestVersion: r.latest_version,
      latestCreatedAt: r.latest_created_at.toISOString(),
      versionCount: r.version_count,
      aliases: r.aliases,
    }));
  }

  /**
   * The ONNX bytes or the model JSON (UTF-8), checked against the digest computed at registration.
   * @throws ModelNotFoundError, VersionNotFoundError, ArtifactIntegrityError
   */
  async getArtifact(model: string, version: number, kind: ArtifactKind): Promise<ModelArtifact> {
    assertModelName(model, 'model');
    assertVersion(version, 'version');
    if (kind !== 'onnx' && kind !== 'json')
      throw new RangeError(`kind must be 'onnx' or 'json', got ${JSON.stringify(kind)}`);
    const columns =
      kind === 'onnx' ? 'onnx AS bytes, onnx_sha256 AS sha256' : 'model_json AS bytes, model_json_sha256 AS sha256';
    const rows: { bytes: Buffer | string; sha256: string }[] = await this.timed('registry_get_artifact', () =>
      this.dataSource.query(`SELECT ${columns} FROM model_versions WHERE model = $1 AND version = $2`, [
        model,
        version,
      ]),
    );
    if (rows.length === 0) throw await this.versionMissing(model, version);
    const bytes = typeof rows[0].bytes === 'string' ? Buffer.from(rows[0].bytes, 'utf8') : rows[0].bytes;
    if (sha256(bytes) !== rows[0].sha256) throw new ArtifactIntegrityError(model, version, kind);
    return { bytes, sha256: rows[0].sha256, contentType: CONTENT_TYPES[kind] };
  }

  /** The version's HTML report. @throws ModelNotFoundError, VersionNotFoundError */
  async getReport(model: string, version: number): Promise<string> {
    assertModelName(model, 'model');
    assertVersion(version, 'version');
    const rows: { report_html: string }[] = await this.timed('registry_get_report', () =>
      this.dataSource.query(`SELECT report_html FROM model_versions WHERE model = $1 AND version = $2`, [
        model,
        version,
      ]),
    );
    if (rows.length === 0) throw await this.versionMissing(model, version);
    return rows[0].report_html;
  }

  /** Alias -> version. @throws ModelNotFoundError */
  async getAliases(model: string): Promise<Record<string, number>> {
    assertModelName(model, 'model');
    const rows: { alias: string; version: number }[] = await this.timed('registry_get_aliases', () =>
      this.dataSource.query(`SELECT alias, version FROM model_aliases WHERE model = $1 ORDER BY alias`, [model]),
    );
    if (rows.length === 0) await this.assertModelExists(model);
    return Object.fromEntries(rows.map((r) => [r.alias, r.version]));
  }

  /** The version the alias points at, null when the alias (or the model) does not exist. */
  async resolveAlias(model: string, alias: string): Promise<number | null> {
    assertModelName(model, 'model');
    assertAliasName(alias, 'alias');
    const rows: { version: number }[] = await this.timed('registry_resolve_alias', () =>
      this.dataSource.query(`SELECT version FROM model_aliases WHERE model = $1 AND alias = $2`, [model, alias]),
    );
    return rows.length === 0 ? null : rows[0].version;
  }

  /**
   * Points the alias at `version` (null deletes it), in one transaction under the alias's lock: the
   * alias row, a history row with the next sequence, and the `alias_moved` event. With
   * `expectedVersion`, a compare-and-set: of racing moves from the same state one wins, the others get
   * AliasConflictError. Moving it where it is writes nothing (`changed` false).
   * @throws ModelNotFoundError, VersionNotFoundError, AliasConflictError
   */
  async moveAlias(input: MoveAliasInput): Promise<AliasMoveResult> {
    assertPlainObject(input, 'input');
    const { model, alias, version, actor, reason, expectedVersion } = input;
    assertModelName(model, 'input.model');
    assertAliasName(alias, 'input.alias');
    if (version === undefined) throw new TypeError('input.version must be a number or null, got undefined');
    assertVersionOrNull(version, 'input.version');
    assertNonEmptyString(actor, 'input.actor');
    assertString(reason, 'input.reason');
    if (expectedVersion !== undefined) assertVersionOrNull(expectedVersion, 'input.expectedVersion');
    return this.timed('registry_move_alias', () =>
      this.dataSource.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ALIAS_LOCK, `${model}/${alias}`]);
        // Read after the lock: each statement sees what the alias's previous mover committed.
        const [state]: {
          current: number | null;
          model_exists: boolean;
          version_exists: boolean;
          last_sequence: number | null;
        }[] = await tx.query(ALIAS_STATE_SQL, [model, alias, version]);
        if (!state.model_exists) throw new ModelNotFoundError(model);
        if (!state.version_exists) throw new VersionNotFoundError(model, version!);
        if (expectedVersion !== undefined && state.current !== expectedVersion)
          throw new AliasConflictError(model, alias, expectedVersion, state.current);
        if (state.current === version) return this.unchanged(tx, input, state.current, state.last_sequence);
        const [moveRow]: MoveRow[] = await tx.query(INSERT_MOVE_SQL, [
          model,
          alias,
          state.current,
          version,
          actor,
          reason,
          (state.last_sequence ?? 0) + 1,
        ]);
        if (version === null)
          await tx.query(`DELETE FROM model_aliases WHERE model = $1 AND alias = $2`, [model, alias]);
        else await tx.query(UPSERT_ALIAS_SQL, [model, alias, version, moveRow.moved_at, actor]);
        const move = moveFromRow(moveRow);
        const event: AliasMovedEvent = {
          type: 'alias_moved',
          eventId: randomUUID(),
          model,
          alias,
          fromVersion: move.fromVersion,
          toVersion: move.toVersion,
          actor,
          reason,
          occurredAt: move.movedAt,
          version: move.toVersion,
        };
        await queueEvent(tx, event);
        return { ...move, changed: true };
      }),
    );
  }

  /** The alias's moves (or every alias's of the model), oldest first. @throws ModelNotFoundError */
  async aliasHistory(model: string, alias?: string): Promise<AliasMove[]> {
    assertModelName(model, 'model');
    if (alias !== undefined) assertAliasName(alias, 'alias');
    const rows: MoveRow[] = await this.timed('registry_alias_history', () =>
      this.dataSource.query(
        `SELECT ${MOVE_COLUMNS} FROM model_alias_history WHERE model = $1 AND ($2::text IS NULL OR alias = $2) ORDER BY id`,
        [model, alias ?? null],
      ),
    );
    if (rows.length === 0) await this.assertModelExists(model);
    return rows.map(moveFromRow);
  }

  /** Lifecycle events not yet published, oldest first (per model and alias, in the order they happened). */
  async pendingLifecycleEvents(limit = 100): Promise<PendingLifecycleEvent[]> {
    assertInteger(limit, 'limit', 1, 10_000);
    const rows: { id: string; payload: ModelLifecycleEvent; created_at: Date }[] = await this.timed(
      'registry_outbox_pending',
      () =>
        this.dataSource.query(
          `SELECT id::text AS id, payload, created_at FROM model_lifecycle_outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
          [limit],
        ),
    );
    return rows.map((r) => ({ id: r.id, payload: r.payload, createdAt: r.created_at.toISOString() }));
  }

  /** Marks events published (after the broker's ack); returns how many were pending. */
  async markLifecycleEventsPublished(ids: readonly string[]): Promise<number> {
    assertArray(ids, 'ids');
    ids.forEach((id, i) => {
      if (typeof id !== 'string' || !DECIMAL_ID.test(id))
        throw new TypeError(`ids[${i}] must be an outbox id (decimal string), got ${JSON.stringify(id)}`);
    });
    if (ids.length === 0) return 0;
    const rows: { n: number }[] = await this.timed('registry_outbox_mark', () =>
      this.dataSource.query(
        `WITH marked AS (
           UPDATE model_lifecycle_outbox SET published_at = now() WHERE id = ANY($1::bigint[]) AND published_at IS NULL RETURNING 1
         )
         SELECT count(*)::int AS n FROM marked`,
        [ids],
      ),
    );
    return rows[0].n;
  }

  // Training jobs: see TrainingJobRepository.

  createJob(input: NewTrainingJob): Promise<CreateJobResult> {
    return this.jobs.createJob(input);
  }

  getJob(id: string): Promise<TrainingJob> {
    return this.jobs.getJob(id);
  }

  getJobByRequest(requestId: string): Promise<TrainingJob | null> {
    return this.jobs.getJobByRequest(requestId);
  }

  listJobs(options: ListJobsOptions = {}): Promise<TrainingJob[]> {
    return this.jobs.listJobs(options);
  }

  nextQueuedJob(dataUntilMs?: number): Promise<TrainingJob | null> {
    return this.jobs.nextQueuedJob(dataUntilMs);
  }

  claimJob(id: string, owner: string): Promise<TrainingJob | null> {
    return this.jobs.claimJob(id, owner);
  }

  heartbeat(id: string, owner: string, progress: JobProgress = {}): Promise<TrainingJob> {
    return this.jobs.heartbeat(id, owner, progress);
  }

  finishJob(id: string, owner: string, outcome: JobOutcome): Promise<TrainingJob> {
    return this.jobs.finishJob(id, owner, outcome);
  }

  failJob(id: string, owner: string, error: string): Promise<TrainingJob> {
    return this.jobs.failJob(id, owner, error);
  }

  recoverInterruptedJobs(options: RecoverJobsOptions): Promise<TrainingJob[]> {
    return this.jobs.recoverInterruptedJobs(options);
  }

  /**
   * The no-op move's answer: from = to = the current version, with the actor, reason, time and
   * sequence of the move that set it (sequence 0 when the alias never existed).
   */
  private async unchanged(
    tx: EntityManager,
    input: MoveAliasInput,
    current: number | null,
    lastSequence: number | null,
  ): Promise<AliasMoveResult> {
    const { model, alias } = input;
    const [last]: MoveRow[] =
      lastSequence === null
        ? []
        : await tx.query(
            `SELECT ${MOVE_COLUMNS} FROM model_alias_history WHERE model = $1 AND alias = $2 AND sequence = $3`,
            [model, alias, lastSequence],
          );
    if (last === undefined) {
      const { actor, reason } = input;
      const movedAt = new Date().toISOString();
      return {
        model,
        alias,
        fromVersion: current,
        toVersion: current,
        actor,
        reason,
        movedAt,
        sequence: 0,
        changed: false,
      };
    }
    return { ...moveFromRow(last), fromVersion: current, toVersion: current, changed: false };
  }

  private async versionMissing(model: string, version: number): Promise<Error> {
    await this.assertModelExists(model);
    return new VersionNotFoundError(model, version);
  }

  private async assertModelExists(model: string): Promise<void> {
    const rows: { e: boolean }[] = await this.timed('registry_model_exists', () =>
      this.dataSource.query(`SELECT EXISTS (SELECT 1 FROM model_versions WHERE model = $1) AS e`, [model]),
    );
    if (!rows[0].e) throw new ModelNotFoundError(model);
  }

  private timed<T>(op: string, work: () => Promise<T>): Promise<T> {
    const observe = this.observe;
    return observe === undefined ? work() : timeCall(work, (seconds, ok) => observe(op, seconds, ok));
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function queueEvent(tx: EntityManager, event: ModelLifecycleEvent): Promise<unknown> {
  return tx.query(OUTBOX_SQL, [JSON.stringify(event)]);
}
