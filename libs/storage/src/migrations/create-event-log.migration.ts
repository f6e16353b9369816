import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The append-only event log and the index point-in-time replay walks. */
export class CreateEventLog1730000000000 implements MigrationInterface {
  name = 'CreateEventLog1730000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE event_log (
        event_id      text COLLATE "C" PRIMARY KEY,
        seq           bigserial NOT NULL,
        entity_id     text COLLATE "C" NOT NULL,
        event_type    text NOT NULL,
        event_time_ms bigint NOT NULL,
        channel       text NOT NULL,
        content_id    text,
        attributes    jsonb NOT NULL,
        profile       jsonb,
        ingested_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX event_log_entity_time_idx ON event_log (entity_id, event_time_ms, event_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE event_log`);
  }
}
