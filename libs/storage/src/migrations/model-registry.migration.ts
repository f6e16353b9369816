import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The model registry (ModelRegistryRepository). `model_versions` holds every registered version of a
 * model, numbered 1, 2, 3… per model (numbers assigned under a per-model advisory lock), with its
 * artifacts (ONNX bytes, model JSON, HTML report) and the SHA-256 the repository computed of each.
 * `model_aliases` points a name (production, staging…) at a version; every move is also a row of
 * `model_alias_history`, numbered gaplessly per alias (`sequence`). `training_jobs` is the queue and
 * record of training runs, deduplicated on the request id. `model_lifecycle_outbox` holds the
 * lifecycle events written in the same transaction as the registration or move they announce, for a
 * relay to publish.
 */
export class CreateModelRegistry1795900000000 implements MigrationInterface {
  name = 'CreateModelRegistry1795900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE model_versions (
        model              text COLLATE "C" NOT NULL,
        version            integer NOT NULL CHECK (version >= 1),
        spec_version       integer NOT NULL,
        task               text NOT NULL,
        created_at         timestamptz NOT NULL DEFAULT now(),
        created_by         text NOT NULL,
        training_job_id    text COLLATE "C",
        metrics            jsonb NOT NULL,
        gates              jsonb NOT NULL,
        gates_passed       boolean NOT NULL,
        signature          jsonb NOT NULL,
        lineage            jsonb NOT NULL,
        evaluation         jsonb NOT NULL,
        report_html        text NOT NULL,
        onnx               bytea NOT NULL,
        onnx_sha256        text NOT NULL,
        model_json         text NOT NULL,
        model_json_sha256  text NOT NULL,
        test_sample        jsonb NOT NULL,
        content_sha256     text NOT NULL,
        PRIMARY KEY (model, version)
      )`);
    // The foreign key makes an alias to a version that does not exist impossible, whatever writes it.
    await queryRunner.query(`
      CREATE TABLE model_aliases (
        model       text COLLATE "C" NOT NULL,
        alias       text COLLATE "C" NOT NULL,
        version     integer NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        updated_by  text NOT NULL,
        PRIMARY KEY (model, alias),
        FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
      )`);
    // The unique key is the per-alias order (and what the next sequence is read from); to_version null: deleted.
    await queryRunner.query(`
      CREATE TABLE model_alias_history (
        id            bigserial PRIMARY KEY,
        model         text COLLATE "C" NOT NULL,
        alias         text COLLATE "C" NOT NULL,
        from_version  integer,
        to_version    integer,
        actor         text NOT NULL,
        reason        text NOT NULL,
        moved_at      timestamptz NOT NULL DEFAULT now(),
        sequence      integer NOT NULL CHECK (sequence >= 1),
        CONSTRAINT model_alias_history_sequence_key UNIQUE (model, alias, sequence)
      )`);
    // `version` (the registered one) references its row; null until the job succeeds, and for a run that registered nothing.
    await queryRunner.query(`
      CREATE TABLE training_jobs (
        id            text COLLATE "C" PRIMARY KEY,
        request_id    text COLLATE "C" NOT NULL,
        model         text COLLATE "C" NOT NULL,
        state         text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
        phase         text NOT NULL DEFAULT 'queued',
        progress      real NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
        params        jsonb NOT NULL,
        train_from    timestamptz,
        train_until   timestamptz,
        trigger       text NOT NULL,
        reason        text NOT NULL,
        requested_by  text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        started_at    timestamptz,
        finished_at   timestamptz,
        heartbeat_at  timestamptz,
        owner         text,
        attempts      integer NOT NULL DEFAULT 0,
        version       integer,
        error         text,
        result        jsonb,
        CONSTRAINT training_jobs_request_id_key UNIQUE (request_id),
        FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
      )`);
    // Small partial indexes for the worker's two polls (the next queued job, the running ones gone quiet).
    await queryRunner.query(
      `CREATE INDEX training_jobs_queued_idx ON training_jobs (created_at, id) WHERE state = 'queued'`,
    );
    await queryRunner.query(
      `CREATE INDEX training_jobs_running_idx ON training_jobs (heartbeat_at) WHERE state = 'running'`,
    );
    await queryRunner.query(`CREATE INDEX training_jobs_model_idx ON training_jobs (model, created_at)`);
    await queryRunner.query(`CREATE INDEX training_jobs_created_idx ON training_jobs (created_at)`);
    await queryRunner.query(`
      CREATE TABLE model_lifecycle_outbox (
        id            bigserial PRIMARY KEY,
        payload       jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        published_at  timestamptz
      )`);
    // What the relay polls: rows leave this index once published.
    await queryRunner.query(
      `CREATE INDEX model_lifecycle_outbox_pending_idx ON model_lifecycle_outbox (id) WHERE published_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE model_lifecycle_outbox`);
    await queryRunner.query(`DROP TABLE training_jobs`);
    await queryRunner.query(`DROP TABLE model_alias_history`);
    await queryRunner.query(`DROP TABLE model_aliases`);
    await queryRunner.query(`DROP TABLE model_versions`);
  }
}
