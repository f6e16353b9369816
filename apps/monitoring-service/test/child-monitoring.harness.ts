import { builtAppMain, ensureBuilt, freePort, kafkaTestBrokers, ServiceProcess } from '@pulse/testing';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { MonitoringServiceHarness } from './monitoring-service.harness';

/** Every topic of the mock cluster has this many partitions (auto-created). */
export const MOCK_PARTITIONS = 4;

/**
 * The built monitoring-service (`node dist/apps/monitoring-service/main.js`, rebuilt first when a
 * source is newer than its output) as a child process on the harness's topics, group and database:
 * started, killed with SIGKILL, restarted on the same port.
 */
export async function monitoringProcess(
  harness: MonitoringServiceHarness,
  env: Readonly<Record<string, string>> = {},
): Promise<ServiceProcess> {
  const main = builtAppMain('monitoring-service');
  return new ServiceProcess(
    'monitoring-service',
    await freePort(),
    {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      KAFKA_CLIENT_ID: `monitoring-${harness.purpose}`,
      ...harness.env(),
      ...env,
    },
    () => ensureBuilt(main),
  );
}

/** The consumer groups the service reads with (MONITORING_CONSUMER_GROUP plus a suffix each). */
export function monitoringGroups(harness: MonitoringServiceHarness): { predictions: string; outcomes: string } {
  return { predictions: `${harness.group}-predictions`, outcomes: `${harness.group}-outcomes` };
}

/** A Kafka admin on the mock cluster, for the offsets a test compares. */
export async function kafkaAdmin(clientId: string): Promise<Admin> {
  const admin = new Kafka({ clientId, brokers: kafkaTestBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  return admin;
}

/** End (high watermark) offset of each partition of `topic`, by partition number. */
export async function endOffsets(admin: Admin, topic: string): Promise<number[]> {
  const out = new Array<number>(MOCK_PARTITIONS).fill(0);
  for (const p of await admin.fetchTopicOffsets(topic)) out[p.partition] = Number(p.high);
  return out;
}

/** The offset the group committed on each partition of `topic` (0 where it committed none). */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<number[]> {
  const committed = new Array<number>(MOCK_PARTITIONS).fill(0);
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  for (const p of offsets?.partitions ?? []) committed[p.partition] = Math.max(0, Number(p.offset));
  return committed;
}

/** Messages of `topic` the group has not committed yet, per partition. */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number[]> {
  const committed = await committedOffsets(admin, groupId, topic);
  return (await endOffsets(admin, topic)).map((end, p) => Math.max(0, end - committed[p]));
}

/** The sum of every series of a Prometheus counter in a /metrics text (0 when absent). */
export function counterSum(metrics: string, name: string): number {
  let sum = 0;
  for (const m of metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

/**
 * Test-only audit tables filled by triggers on the service's tables: every prediction row inserted
 * (monitoring_audit_recorded) and every update that sets a label (monitoring_audit_labelled), each
 * with the database clock's time. A prediction recorded or labelled twice shows as two audit rows,
 * whatever guards the service's own statements have. A transaction that records predictions also
 * notifies channel monitoring_audit_recorded as it commits (see nextRecorded).
 */
export async function installAudit(dataSource: DataSource): Promise<void> {
  await dataSource.query(`
    CREATE TABLE monitoring_audit_recorded (prediction_id text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE TABLE monitoring_audit_labelled (prediction_id text NOT NULL, label smallint NOT NULL,
      at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE FUNCTION monitoring_audit_recorded_fn() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO monitoring_audit_recorded (prediction_id) VALUES (NEW.prediction_id);
        PERFORM pg_notify('monitoring_audit_recorded', '');
        RETURN NULL;
      END $$;
    CREATE FUNCTION monitoring_audit_labelled_fn() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO monitoring_audit_labelled (prediction_id, label) VALUES (NEW.prediction_id, NEW.label); RETURN NULL; END $$;
    CREATE TRIGGER monitoring_audit_recorded AFTER INSERT ON monitoring_predictions
      FOR EACH ROW EXECUTE FUNCTION monitoring_audit_recorded_fn();
    CREATE TRIGGER monitoring_audit_labelled AFTER UPDATE OF label ON monitoring_predictions
      FOR EACH ROW WHEN (NEW.label IS NOT NULL) EXECUTE FUNCTION monitoring_audit_labelled_fn();
  `);
}

/** Audit rows of `table` written in (fromMs, toMs] by the database clock. */
export async function auditRowsBetween(
  dataSource: DataSource,
  table: 'monitoring_audit_recorded' | 'monitoring_audit_labelled',
  fromMs: number,
  toMs: number,
): Promise<number> {
  const [r] = await dataSource.query(
    `SELECT count(*)::int AS n FROM ${table} WHERE at > to_timestamp($1::float8 / 1000) AND at <= to_timestamp($2::float8 / 1000)`,
    [fromMs, toMs],
  );
  return r.n as number;
}

/**
 * Listens on the database for transactions that record predictions: `next()` resolves the moment the
 * next one commits (Postgres delivers a notification at its transaction's commit), or rejects after
 * `timeoutMs`.
 */
export async function recordedCommits(
  url: string,
): Promise<{ next(timeoutMs: number): Promise<void>; close(): Promise<void> }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  let waiting: (() => void) | null = null;
  client.on('notification', () => {
    waiting?.();
    waiting = null;
  });
  await client.query('LISTEN monitoring_audit_recorded');
  return {
    next: (timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting = null;
          reject(new Error(`no predictions recorded within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
    close: () => client.end(),
  };
}
