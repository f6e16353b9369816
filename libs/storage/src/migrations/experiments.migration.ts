import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Experiments (the current definition and every version of it), the change outbox the relay
 * publishes to experiments.changes.v1, and each unit's first exposure per experiment.
 */
export class CreateExperiments1796000000000 implements MigrationInterface {
  name = 'CreateExperiments1796000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE experiments (
        key          text COLLATE "C" PRIMARY KEY,
        version      integer NOT NULL,
        status       text NOT NULL,
        definition   jsonb NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE experiment_versions (
        key          text COLLATE "C" NOT NULL,
        version      integer NOT NULL,
        definition   jsonb NOT NULL,
        actor        text NOT NULL,
        changed_at   timestamptz NOT NULL,
        PRIMARY KEY (key, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE experiment_change_outbox (
        id            bigserial PRIMARY KEY,
        key           text COLLATE "C" NOT NULL,
        version       integer NOT NULL,
        published_at  timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX experiment_change_outbox_pending_idx ON experiment_change_outbox (id) WHERE published_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE experiment_exposures (
        experiment_key    text COLLATE "C" NOT NULL,
        unit_id           text COLLATE "C" NOT NULL,
        variant           text NOT NULL,
        exposure_id       text NOT NULL,
        first_exposed_ms  bigint NOT NULL,
        PRIMARY KEY (experiment_key, unit_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE experiment_exposures`);
    await queryRunner.query(`DROP TABLE experiment_change_outbox`);
    await queryRunner.query(`DROP TABLE experiment_versions`);
    await queryRunner.query(`DROP TABLE experiments`);
  }
}
