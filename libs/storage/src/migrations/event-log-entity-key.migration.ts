import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One index instead of two, and no sequence: the replay key (entity_id, event_time_ms, event_id)
 * becomes the primary key, replacing both the event_id key and the replay index, and the unused seq
 * column goes. An append then updates one B-tree per event and can be a COPY (see
 * EventLogRepository.appendMany); on the ingest benchmark's rows that took the append's Postgres CPU
 * from ~20 to ~7 µs per event. Duplicates are still refused: a re-sent or redelivered event has the
 * same entity, time and id. Builds the new index once, under the table's lock (appends and reads wait
 * for it; on a large log, run it in a quiet moment). `down` fails once the log holds one id at two
 * times or for two entities, which the new key allows.
 */
export class EventLogEntityKey1795600000000 implements MigrationInterface {
  name = 'EventLogEntityKey1795600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE event_log DROP CONSTRAINT event_log_pkey`);
    await queryRunner.query(`DROP INDEX event_log_entity_time_idx`);
    await queryRunner.query(`ALTER TABLE event_log DROP COLUMN seq`);
    await queryRunner.query(
      `ALTER TABLE event_log ADD CONSTRAINT event_log_pkey PRIMARY KEY (entity_id, event_time_ms, event_id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE event_log DROP CONSTRAINT event_log_pkey`);
    await queryRunner.query(`ALTER TABLE event_log ADD COLUMN seq bigserial NOT NULL`);
    await queryRunner.query(`ALTER TABLE event_log ADD CONSTRAINT event_log_pkey PRIMARY KEY (event_id)`);
    await queryRunner.query(`CREATE INDEX event_log_entity_time_idx ON event_log (entity_id, event_time_ms, event_id)`);
  }
}
