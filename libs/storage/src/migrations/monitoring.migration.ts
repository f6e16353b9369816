import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * monitoring-service's state: every acted-on prediction (the row its label joins, once), drift
 * windows as bin counts (added to, so partial windows from any copy merge), the outcome events labels
 * mature from and the watermark they have reached, entities' profiles (fairness groups), alert state
 * and the alert outbox.
 */
export class CreateMonitoring1796200000000 implements MigrationInterface {
  name = 'CreateMonitoring1796200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE monitoring_predictions (
        prediction_id     text COLLATE "C" PRIMARY KEY,
        model             text NOT NULL,
        model_version     integer NOT NULL,
        entity_id         text COLLATE "C" NOT NULL,
        trigger_event_id  text,
        content_id        text,
        channel           text,
        as_of_ms          bigint NOT NULL,
        score             float8 NOT NULL,
        fallback          boolean NOT NULL,
        matures_at_ms     bigint NOT NULL,
        label             smallint,
        labelled_at       timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX monitoring_predictions_pending_idx ON monitoring_predictions (matures_at_ms) WHERE label IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX monitoring_predictions_window_idx ON monitoring_predictions (model, as_of_ms)`,
    );
    await queryRunner.query(`
      CREATE TABLE monitoring_drift_windows (
        model            text NOT NULL,
        model_version    integer NOT NULL,
        window_ms        bigint NOT NULL,
        window_start_ms  bigint NOT NULL,
        feature          text NOT NULL,
        profile_key      text NOT NULL,
        counts           float8[] NOT NULL,
        total            bigint NOT NULL,
        missing          bigint NOT NULL,
        underflow_sum    float8 NOT NULL,
        overflow_sum     float8 NOT NULL,
        PRIMARY KEY (model, model_version, window_ms, window_start_ms, feature)
      )`);
    await queryRunner.query(`
      CREATE TABLE monitoring_outcome_events (
        entity_id      text COLLATE "C" NOT NULL,
        event_time_ms  bigint NOT NULL,
        event_id       text COLLATE "C" NOT NULL,
        event_type     text NOT NULL,
        channel        text NOT NULL,
        content_id     text,
        PRIMARY KEY (entity_id, event_time_ms, event_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE monitoring_watermarks (
        name        text PRIMARY KEY,
        value_ms    bigint NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE monitoring_profiles (
        entity_id      text COLLATE "C" PRIMARY KEY,
        profile        jsonb NOT NULL,
        event_time_ms  bigint NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE monitoring_alerts (
        rule            text NOT NULL,
        key             text NOT NULL,
        model           text NOT NULL,
        kind            text NOT NULL,
        firing          boolean NOT NULL,
        fired_at_ms     bigint,
        quiet_until_ms  bigint NOT NULL,
        value           float8 NOT NULL,
        threshold       float8 NOT NULL,
        message         text NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (rule, key)
      )`);
    await queryRunner.query(`
      CREATE TABLE monitoring_alert_outbox (
        id            bigserial PRIMARY KEY,
        payload       jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        published_at  timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX monitoring_alert_outbox_pending_idx ON monitoring_alert_outbox (id) WHERE published_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'monitoring_alert_outbox',
      'monitoring_alerts',
      'monitoring_profiles',
      'monitoring_watermarks',
      'monitoring_outcome_events',
      'monitoring_drift_windows',
      'monitoring_predictions',
    ])
      await queryRunner.query(`DROP TABLE ${table}`);
  }
}
