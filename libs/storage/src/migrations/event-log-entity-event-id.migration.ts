import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An event id counts once per entity, whatever time it is re-sent with: a unique index on
 * (entity_id, event_id) next to the replay key. Before it, a re-send of a known id at a new time more
 * than the dedup memory (the allowed lateness) after the first was logged a second time. A log that
 * already holds one id at several times keeps the earliest (the one the online state took first) and
 * loses the later copies (an online state that counted one keeps it until the state expires). Builds
 * the index under the table's lock; copies of an older version still running then fail the appends
 * that meet the new index, and retry them until they are replaced.
 */
export class EventLogEntityEventId1795700000000 implements MigrationInterface {
  name = 'EventLogEntityEventId1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Copies of an older version may still append during a rolling deploy: none between the clean-up and the index.
    await queryRunner.query(`LOCK TABLE event_log IN SHARE ROW EXCLUSIVE MODE`);
    await queryRunner.query(`
      DELETE FROM event_log l USING event_log k
      WHERE l.entity_id = k.entity_id AND l.event_id = k.event_id AND l.event_time_ms > k.event_time_ms`);
    await queryRunner.query(`CREATE UNIQUE INDEX event_log_entity_event_id_key ON event_log (entity_id, event_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX event_log_entity_event_id_key`);
  }
}
