import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { assertInteger, assertInRange, assertNonEmptyString, timeCall } from '@pulse/core';
import type { StorageOpObserver } from '../event-log/event-log.repository';
import { JobNotFoundError, JobStateError, VersionNotFoundError } from './model-registry.errors';
import { assertModelName, assertPlainObject, assertVersionOrNull, toTimestamp } from './model-registry.guards';
import { JOB_COLUMNS, jobFromRow, type JobRow } from './model-registry.rows';
import {
  INTERRUPTED_ERROR,
  TRAINING_JOB_STATES,
  type CreateJobResult,
  type JobOutcome,
  type JobProgress,
  type ListJobsOptions,
  type NewTrainingJob,
  type RecoverJobsOptions,
  type TrainingJob,
} from './training-job.types';

// Every method is one statement (UPDATEs wrapped in a CTE so the driver returns their rows), so
// state changes are atomic without a transaction and it all works on a pool of one connection.

const CREATE_SQL = `
  INSERT INTO training_jobs (id, request_id, model, params, train_from, train_until, trigger, reason, requested_by)
  VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9)
  ON CONFLICT (request_id) DO NOTHING
  RETURNING ${JOB_COLUMNS}`;

const CLAIM_SQL = `
  WITH claimed AS (
    UPDATE training_jobs
    SET state = 'running', owner = $2, phase = 'starting', progress = 0, started_at = now(), heartbeat_at = now(),
        attempts = attempts + 1, error = NULL
    WHERE id = $1 AND state = 'queued'
    RETURNING ${JOB_COLUMNS}
  )
  SELECT * FROM claimed`;

const HEARTBEAT_SQL = `
  WITH beat AS (
    UPDATE training_jobs
    SET heartbeat_at = now(), phase = coalesce($3, phase), progress = coalesce($4::real, progress)
    WHERE id = $1 AND state = 'running' AND owner = $2
    RETURNING ${JOB_COLUMNS}
  )
  SELECT * FROM beat`;

// The version must exist for the job's model (checked here for a clear error; the foreign key backs it).
const FINISH_SQL = `
  WITH finished AS (
    UPDATE training_jobs j
    SET state = 'succeeded', phase = 'done', progress = 1, finished_at = now(), heartbeat_at = now(),
        version = $3, result = $4::jsonb, error = NULL
    WHERE j.id = $1 AND j.state = 'running' AND j.owner = $2
      AND ($3::int IS NULL OR EXISTS (SELECT 1 FROM model_versions v WHERE v.model = j.model AND v.version = $3))
    RETURNING ${JOB_COLUMNS}
  )
  SELECT * FROM finished`;

const FAIL_SQL = `
  WITH failed AS (
    UPDATE training_jobs SET state = 'failed', finished_at = now(), heartbeat_at = now(), error = $3
    WHERE id = $1 AND state = 'running' AND owner = $2
    RETURNING ${JOB_COLUMNS}
  )
  SELECT * FROM failed`;

// One UPDATE, so a heartbeat that lands first takes its job out of the set (Postgres re-checks the
// WHERE on a row changed meanwhile). $2: requeue, $3: max attempts (null: no cap).
const REQUEUE = `($2::boolean AND ($3::int IS NULL OR attempts < $3))`;
const RECOVER_SQL = `
  WITH recovered AS (
    UPDATE training_jobs
    SET state = CASE WHEN ${REQUEUE} THEN 'queued' ELSE 'failed' END,
        owner = CASE WHEN ${REQUEUE} THEN NULL ELSE owner END,
        phase = CASE WHEN ${REQUEUE} THEN 'queued' ELSE phase END,
        progress = CASE WHEN ${REQUEUE} THEN 0 ELSE progress END,
        started_at = CASE WHEN ${REQUEUE} THEN NULL ELSE started_at END,
        heartbeat_at = CASE WHEN ${REQUEUE} THEN NULL ELSE heartbeat_at END,
        finished_at = CASE WHEN ${REQUEUE} THEN NULL ELSE now() END,
        error = $4
    WHERE state = 'running' AND heartbeat_at < now() - $1 * interval '1 millisecond'
    RETURNING ${JOB_COLUMNS}
  )
  SELECT * FROM recovered ORDER BY created_at, id`;

export interface TrainingJobRepositoryOptions {
  readonly observe?: StorageOpObserver;
}

/**
 * The training job queue and record: a job per training request (deduplicated on its id), claimed by
 * one runner (`owner`, unique per process), kept alive by heartbeats, finished or failed by its owner
 * only; `recoverInterruptedJobs` fails or re-queues the ones whose runner went quiet, so none stays
 * running forever.
 */
export class TrainingJobRepository {
  private readonly observe?: StorageOpObserver;

  constructor(
    private readonly dataSource: DataSource,
    options: TrainingJobRepositoryOptions = {},
  ) {
    this.observe = options.observe;
  }

  /** Queues a job for the request, or returns the one queued for it before (`created` false). */
  async createJob(input: NewTrainingJob): Promise<CreateJobResult> {
    assertPlainObject(input, 'input');
    assertNonEmptyString(input.requestId, 'input.requestId');
    assertModelName(input.model, 'input.model');
    const params = input.params ?? {};
    assertPlainObject(params, 'input.params');
    const trainFrom = toTimestamp(input.trainFrom, 'input.trainFrom');
    const trainUntil = toTimestamp(input.trainUntil, 'input.trainUntil');
    if (trainFrom !== null && trainUntil !== null && trainFrom > trainUntil)
      throw new RangeError(`input.trainFrom (${trainFrom}) is after input.trainUntil (${trainUntil})`);
    assertNonEmptyString(input.trigger, 'input.trigger');
    if (typeof input.reason !== 'string')
      throw new TypeError(`input.reason must be a string, got ${typeof input.reason}`);
    assertNonEmptyString(input.requestedBy, 'input.requestedBy');
    const args = [randomUUID(), input.requestId, input.model, JSON.stringify(params), trainFrom, trainUntil];
    const rows: JobRow[] = await this.timed('job_create', () =>
      this.dataSource.query(CREATE_SQL, [...args, input.trigger, input.reason, input.requestedBy]),
    );
    if (rows.length === 1) return { job: jobFromRow(rows[0]), created: true };
    // The request was seen before: its job is committed (ON CONFLICT waited for it), so this reads it.
    const existing = await this.getJobByRequest(input.requestId);
    if (existing === null) throw new JobNotFoundError(`request ${input.requestId}`);
    return { job: existing, created: false };
  }

  /** @throws JobNotFoundError */
  async getJob(id: string): Promise<TrainingJob> {
    assertNonEmptyString(id, 'id');
    const rows: JobRow[] = await this.timed('job_get', () =>
      this.dataSource.query(`SELECT ${JOB_COLUMNS} FROM training_jobs WHERE id = $1`, [id]),
    );
    if (rows.length === 0) throw new JobNotFoundError(id);
    return jobFromRow(rows[0]);
  }

  /** The job of a training request, null when none was created for it. */
  async getJobByRequest(requestId: string): Promise<TrainingJob | null> {
    assertNonEmptyString(requestId, 'requestId');
    const rows: JobRow[] = await this.timed('job_get', () =>
      this.dataSource.query(`SELECT ${JOB_COLUMNS} FROM training_jobs WHERE request_id = $1`, [requestId]),
    );
    return rows.length === 0 ? null : jobFromRow(rows[0]);
  }

  /** Newest first. */
  async listJobs(options: ListJobsOptions = {}): Promise<TrainingJob[]> {
    const model = options.model ?? null;
    if (model !== null) assertModelName(model, 'options.model');
    const state = options.state ?? null;
    if (state !== null && !TRAINING_JOB_STATES.includes(state))
      throw new RangeError(`options.state must be one of ${TRAINING_JOB_STATES.join(', ')}, got ${String(state)}`);
    const limit = options.limit ?? 50;
    assertInteger(limit, 'options.limit', 1, 1000);
    const rows: JobRow[] = await this.timed('job_list', () =>
      this.dataSource.query(
        `SELECT ${JOB_COLUMNS} FROM training_jobs WHERE ($1::text IS NULL OR model = $1) AND ($2::text IS NULL OR state = $2)
         ORDER BY created_at DESC, id DESC LIMIT $3`,
        [model, state, limit],
      ),
    );
    return rows.map(jobFromRow);
  }

  /**
   * The oldest queued job, null when none waits. With `dataUntilMs` (the event log's newest event
   * time), only jobs whose training range ends by then: a job for data that does not exist yet waits.
   */
  async nextQueuedJob(dataUntilMs?: number): Promise<TrainingJob | null> {
    const rows: JobRow[] = await this.timed('job_next', () =>
      dataUntilMs === undefined
        ? this.dataSource.query(
            `SELECT ${JOB_COLUMNS} FROM training_jobs WHERE state = 'queued' ORDER BY created_at, id LIMIT 1`,
          )
        : this.dataSource.query(
            `SELECT ${JOB_COLUMNS} FROM training_jobs
             WHERE state = 'queued' AND (train_until IS NULL OR train_until <= to_timestamp($1::float8 / 1000))
             ORDER BY created_at, id LIMIT 1`,
            [Number.isFinite(dataUntilMs) ? dataUntilMs : -1e15],
          ),
    );
    return rows.length === 0 ? null : jobFromRow(rows[0]);
  }

  /**
   * Takes a queued job for `owner` (queued -> running; started and heartbeat now). Null when it is no
   * longer queued: another runner claimed it first, or it ended. @throws JobNotFoundError
   */
  async claimJob(id: string, owner: string): Promise<TrainingJob | null> {
    assertNonEmptyString(id, 'id');
    assertNonEmptyString(owner, 'owner');
    const rows: JobRow[] = await this.timed('job_claim', () => this.dataSource.query(CLAIM_SQL, [id, owner]));
    if (rows.length === 1) return jobFromRow(rows[0]);
    await this.getJob(id);
    return null;
  }

  /** Keeps the owner's running job alive, with its phase and progress. @throws JobStateError when it lost the job */
  async heartbeat(id: string, owner: string, progress: JobProgress = {}): Promise<TrainingJob> {
    assertNonEmptyString(id, 'id');
    assertNonEmptyString(owner, 'owner');
    assertPlainObject(progress, 'progress');
    if (progress.phase !== undefined) assertNonEmptyString(progress.phase, 'progress.phase');
    if (progress.progress !== undefined) assertInRange(progress.progress, 'progress.progress', 0, 1);
    const rows: JobRow[] = await this.timed('job_heartbeat', () =>
      this.dataSource.query(HEARTBEAT_SQL, [id, owner, progress.phase ?? null, progress.progress ?? null]),
    );
    if (rows.length === 1) return jobFromRow(rows[0]);
    throw await this.notRunningUnder(id, owner);
  }

  /** Marks the owner's running job succeeded, with the version it registered. @throws JobStateError, VersionNotFoundError */
  async finishJob(id: string, owner: string, outcome: JobOutcome): Promise<TrainingJob> {
    assertNonEmptyString(id, 'id');
    assertNonEmptyString(owner, 'owner');
    assertPlainObject(outcome, 'outcome');
    assertVersionOrNull(outcome.version, 'outcome.version');
    const result = outcome.result === undefined || outcome.result === null ? null : JSON.stringify(outcome.result);
    const rows: JobRow[] = await this.timed('job_finish', () =>
      this.dataSource.query(FINISH_SQL, [id, owner, outcome.version, result]),
    );
    if (rows.length === 1) return jobFromRow(rows[0]);
    const job = await this.getJob(id);
    if (job.state !== 'running' || job.owner !== owner)
      throw new JobStateError(id, job.state, job.owner, `running under ${owner}`);
    throw new VersionNotFoundError(job.model, outcome.version!);
  }

  /** Marks the owner's running job failed with `error`. @throws JobStateError */
  async failJob(id: string, owner: string, error: string): Promise<TrainingJob> {
    assertNonEmptyString(id, 'id');
    assertNonEmptyString(owner, 'owner');
    assertNonEmptyString(error, 'error');
    const rows: JobRow[] = await this.timed('job_fail', () => this.dataSource.query(FAIL_SQL, [id, owner, error]));
    if (rows.length === 1) return jobFromRow(rows[0]);
    throw await this.notRunningUnder(id, owner);
  }

  /**
   * Running jobs whose last heartbeat is older than `staleAfterMs` (their runner stopped): failed with
   * INTERRUPTED_ERROR, or queued again when `requeue` (failed all the same once claimed `maxAttempts`
   * times). Returns them as they are now. Their old runner, should it come back, gets JobStateError.
   */
  async recoverInterruptedJobs(options: RecoverJobsOptions): Promise<TrainingJob[]> {
    assertPlainObject(options, 'options');
    assertInteger(options.staleAfterMs, 'options.staleAfterMs', 0);
    if (typeof options.requeue !== 'boolean')
      throw new TypeError(`options.requeue must be a boolean, got ${typeof options.requeue}`);
    const maxAttempts = options.maxAttempts ?? null;
    if (maxAttempts !== null) assertInteger(maxAttempts, 'options.maxAttempts', 1);
    const rows: JobRow[] = await this.timed('job_recover', () =>
      this.dataSource.query(RECOVER_SQL, [options.staleAfterMs, options.requeue, maxAttempts, INTERRUPTED_ERROR]),
    );
    return rows.map(jobFromRow);
  }

  private async notRunningUnder(id: string, owner: string): Promise<JobStateError> {
    const job = await this.getJob(id);
    return new JobStateError(id, job.state, job.owner, `running under ${owner}`);
  }

  private timed<T>(op: string, work: () => Promise<T>): Promise<T> {
    const observe = this.observe;
    return observe === undefined ? work() : timeCall(work, (seconds, ok) => observe(op, seconds, ok));
  }
}
