import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dead-letter outbox (DeadLetterOutboxRepository): dead letters are written here in the batch's
 * effect, idempotently on their source coordinates, and a relay publishes them to the DLQ topic
 * exactly once. `dead_letter_outbox` holds one row per rejected source record: its key is the source
 * (topic, partition, offset), `id` the order the relay publishes in and the number each published
 * message carries, `state` pending -> in_flight (claimed, end offsets recorded) -> published.
 * `dead_letter_relay` holds, per DLQ topic, the relay's lease (holder, epoch, lease_until: one
 * publisher at a time, fenced by the epoch), the outbox's identity in the topic (`outbox_id`, in
 * each message's header) and the DLQ partitions' end offsets recorded before the in-flight chunk was
 * published (`inflight_from`), from which a new leader reads the topic back.
 */
export class CreateDeadLetterOutbox1795800000000 implements MigrationInterface {
  name = 'CreateDeadLetterOutbox1795800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE dead_letter_outbox (
        id               bigserial PRIMARY KEY,
        source_topic     text COLLATE "C" NOT NULL,
        source_partition integer NOT NULL,
        source_offset    bigint NOT NULL,
        topic            text COLLATE "C" NOT NULL,
        message_key      bytea,
        value            bytea NOT NULL,
        headers          json NOT NULL,
        reason           text NOT NULL,
        state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'in_flight', 'published')),
        created_at       timestamptz NOT NULL DEFAULT now(),
        published_at     timestamptz,
        CONSTRAINT dead_letter_outbox_source_key UNIQUE (source_topic, source_partition, source_offset)
      )`);
    // What the relay looks for: the unpublished rows of its topic, oldest first (a small index: rows leave it once published).
    await queryRunner.query(
      `CREATE INDEX dead_letter_outbox_unpublished_idx ON dead_letter_outbox (topic, id) WHERE state <> 'published'`,
    );
    await queryRunner.query(`
      CREATE TABLE dead_letter_relay (
        topic          text COLLATE "C" PRIMARY KEY,
        outbox_id      text NOT NULL,
        holder         text,
        epoch          bigint NOT NULL DEFAULT 0,
        lease_until    timestamptz,
        inflight_from  json,
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE dead_letter_relay`);
    await queryRunner.query(`DROP TABLE dead_letter_outbox`);
  }
}
