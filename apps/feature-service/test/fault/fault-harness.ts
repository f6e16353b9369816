import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { decodeDeadLetter, type DeadLetterRecord, type EngagementEvent } from '@pulse/contracts';
import { EVENT_COLUMNS, eventFromRow, type EventRow } from '@pulse/storage';
import { RedisOnlineStore } from '@pulse/redis-store';
import {
  createTestDatabase,
  kafkaTestBrokers,
  kafkaTestBusOptions,
  randomName,
  randomRedisPrefix,
  testRedisUrl,
  waitFor,
  type TcpProxy,
  type TestDatabase,
} from '@pulse/testing';
import { freePort, ServiceProcess } from './service-process';

/** Every topic of the mock cluster has this many partitions (auto-created, see kafka-test-broker.md). */
export const MOCK_PARTITIONS = 4;

/** One record read from the dead-letter topic. */
export interface DlqEntry {
  readonly partition: number;
  readonly offset: string;
  /** null when the record is not a DeadLetter (then `error` says why). */
  readonly record: DeadLetterRecord | null;
  readonly error?: string;
}

/**
 * Reads the DLQ topic from the beginning in its own consumer group, for the whole test, keeping every
 * record; waitDrained() waits until it has read up to the topic's current end.
 */
export class DlqReader {
  readonly entries: DlqEntry[] = [];
  private readonly next = new Map<number, number>();
  private consumer: Consumer | null = null;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
  ) {}

  async start(): Promise<void> {
    const timings = kafkaTestBusOptions();
    this.consumer = this.kafka.consumer({
      groupId: randomName('fault-dlq-reader'),
      sessionTimeout: 6000,
      heartbeatInterval: timings.heartbeatIntervalMs,
      maxWaitTimeInMs: timings.maxWaitTimeMs,
      allowAutoTopicCreation: true,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          let record: DeadLetterRecord | null = null;
          let error: string | undefined;
          try {
            record = decodeDeadLetter(m.value ?? new Uint8Array());
          } catch (err) {
            error = (err as Error).message;
          }
          this.entries.push({
            partition: batch.partition,
            offset: m.offset,
            record,
            ...(error === undefined ? {} : { error }),
          });
          this.next.set(batch.partition, Math.max(this.next.get(batch.partition) ?? 0, Number(m.offset) + 1));
        }
      },
    });
  }

  /** Until every record up to the DLQ topic's current end offsets has been read. */
  async waitDrained(admin: Admin, timeoutMs = 60_000): Promise<void> {
    const ends = await endOffsets(admin, this.topic);
    await waitFor(() => ends.every((end, p) => end === 0 || (this.next.get(p) ?? 0) >= end), {
      timeoutMs,
      intervalMs: 50,
      message: `DLQ reader at the end of ${this.topic} (${ends.join(',')})`,
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    this.consumer = null;
  }
}

/** End (high watermark) offset of each partition of `topic`, by partition number. */
export async function endOffsets(admin: Admin, topic: string): Promise<number[]> {
  const out = new Array<number>(MOCK_PARTITIONS).fill(0);
  for (const p of await admin.fetchTopicOffsets(topic)) out[p.partition] = Number(p.high);
  return out;
}

/**
 * One fault-injection test file's world: unique topics and consumer group, a throwaway Postgres
 * database, a random Redis key prefix, a Kafka admin, a DLQ reader, and the service processes and
 * proxies it started (all cleaned up by tearDown).
 */
export class FaultHarness {
  readonly topics: { readonly events: string; readonly dlq: string };
  readonly group: string;
  readonly redisPrefix: string;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly dlq: DlqReader;
  private db?: TestDatabase;
  private pool?: Pool;
  private readonly services: ServiceProcess[] = [];
  private readonly proxies: TcpProxy[] = [];
  private readonly stores: RedisOnlineStore[] = [];

  constructor(readonly label: string) {
    this.topics = { events: randomName(`fault-${label}-events`), dlq: randomName(`fault-${label}-dlq`) };
    this.group = randomName(`fault-${label}-fs`);
    this.redisPrefix = randomRedisPrefix(`fs-fault-${label}`);
    this.kafka = new Kafka({
      clientId: `fault-${label}-test`,
      brokers: kafkaTestBrokers(),
      logLevel: logLevel.NOTHING,
    });
    this.admin = this.kafka.admin();
    this.dlq = new DlqReader(this.kafka, this.topics.dlq);
  }

  async setUp(): Promise<void> {
    const [db] = await Promise.all([createTestDatabase(`pulse_fault_${this.label}`), this.admin.connect()]);
    this.db = db;
    this.pool = new Pool({ connectionString: db.url, max: 4 });
    this.pool.on('error', () => undefined);
    // Both topics exist (4 partitions) before anything is produced or consumed.
    await this.admin.fetchTopicMetadata({ topics: [this.topics.events, this.topics.dlq] }).catch(() => undefined);
    await waitFor(
      async () => {
        const { topics } = await this.admin.fetchTopicMetadata({ topics: [this.topics.events, this.topics.dlq] });
        return topics.length === 2 && topics.every((t) => t.partitions.length === MOCK_PARTITIONS);
      },
      { timeoutMs: 15_000, intervalMs: 100, message: 'the test topics created' },
    );
    await this.dlq.start();
  }

  get databaseUrl(): string {
    if (!this.db) throw new Error('setUp() first');
    return this.db.url;
  }

  /** The service's environment: the mock cluster, the test database and Redis (or the given URLs: proxies). */
  serviceEnv(
    overrides: { databaseUrl?: string; redisUrl?: string; env?: Record<string, string> } = {},
  ): Record<string, string> {
    const kafka = kafkaTestBusOptions();
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_IDEMPOTENT: 'false',
      KAFKA_CLIENT_ID: `fault-${this.label}-fs`,
      KAFKA_SESSION_TIMEOUT_MS: String(kafka.sessionTimeoutMs),
      KAFKA_HEARTBEAT_INTERVAL_MS: String(kafka.heartbeatIntervalMs),
      KAFKA_MAX_WAIT_MS: String(kafka.maxWaitTimeMs),
      DATABASE_URL: overrides.databaseUrl ?? this.databaseUrl,
      REDIS_URL: overrides.redisUrl ?? testRedisUrl(),
      REDIS_KEY_PREFIX: this.redisPrefix,
      ENGAGEMENT_TOPIC: this.topics.events,
      DLQ_TOPIC: this.topics.dlq,
      CONSUMER_GROUP: this.group,
      SIMULATOR: 'false',
      ...overrides.env,
    };
  }

  /** A service process (not started) on a free port with serviceEnv(overrides). */
  async service(name: string, overrides: Parameters<FaultHarness['serviceEnv']>[0] = {}): Promise<ServiceProcess> {
    const svc = new ServiceProcess(name, await freePort(), this.serviceEnv(overrides));
    this.services.push(svc);
    return svc;
  }

  /** Registers a proxy to close in tearDown. */
  own<T extends TcpProxy>(proxy: T): T {
    this.proxies.push(proxy);
    return proxy;
  }

  private get pg(): Pool {
    if (!this.pool) throw new Error('setUp() first');
    return this.pool;
  }

  /** Runs SQL in the test database (e.g. to make it refuse something). */
  async sql(text: string): Promise<void> {
    await this.pg.query(text);
  }

  /** Rows in the event log (0 before the service created the table). */
  async logCount(): Promise<number> {
    try {
      const { rows } = await this.pg.query<{ n: string }>('SELECT count(*) AS n FROM event_log');
      return Number(rows[0].n);
    } catch (err) {
      if ((err as { code?: string }).code === '42P01') return 0;
      throw err;
    }
  }

  /**
   * Polls until the service has published every dead letter it holds: they are written to an outbox
   * with the batch and relayed to the DLQ topic afterwards, so the events topic can be committed to
   * its end while the last of them are still on their way.
   */
  async waitDeadLettersPublished(timeoutMs: number): Promise<void> {
    await waitFor(
      async () => {
        try {
          const { rows } = await this.pg.query<{ n: string }>(
            `SELECT count(*) AS n FROM dead_letter_outbox WHERE state <> 'published'`,
          );
          return Number(rows[0].n) === 0;
        } catch (err) {
          if ((err as { code?: string }).code === '42P01') return true;
          throw err;
        }
      },
      { timeoutMs, intervalMs: 100, message: 'every dead letter of the outbox published' },
    );
  }

  /** Every row of the event log, as events (in key order). */
  async readLog(): Promise<EngagementEvent[]> {
    const { rows } = await this.pg.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM event_log ORDER BY entity_id, event_time_ms, event_id`,
    );
    return rows.map(eventFromRow);
  }

  /** The service group's committed offset per partition of the events topic (0 where none). */
  async committedOffsets(): Promise<number[]> {
    const out = new Array<number>(MOCK_PARTITIONS).fill(0);
    const [topic] = await this.admin.fetchOffsets({ groupId: this.group, topics: [this.topics.events] });
    for (const p of topic?.partitions ?? []) out[p.partition] = Math.max(0, Number(p.offset));
    return out;
  }

  /** Messages of the events topic not yet committed by the service's group, per partition. */
  async lag(): Promise<number[]> {
    const [ends, committed] = await Promise.all([endOffsets(this.admin, this.topics.events), this.committedOffsets()]);
    return ends.map((end, p) => Math.max(0, end - committed[p]));
  }

  /**
   * Polls until the service's group has committed the end of every partition of the events topic.
   * Resolves with the lag left (all zeros when caught up) instead of throwing, so a test can still
   * report what it found.
   */
  async waitCaughtUp(timeoutMs: number): Promise<{ caughtUp: boolean; lag: number[] }> {
    let last: number[] = [];
    try {
      await waitFor(
        async () => {
          last = await this.lag();
          return last.every((l) => l === 0);
        },
        { timeoutMs, intervalMs: 200, message: 'the consumer group at the end of the events topic' },
      );
      return { caughtUp: true, lag: last };
    } catch {
      return { caughtUp: false, lag: last };
    }
  }

  /** A reader of the service's online states in Redis (decoded by the product's codec). */
  redisStore(): RedisOnlineStore {
    const store = new RedisOnlineStore({ url: testRedisUrl(), keyPrefix: this.redisPrefix, watchVersions: false });
    this.stores.push(store);
    return store;
  }

  async tearDown(): Promise<void> {
    await Promise.all(this.services.map((s) => s.stop().catch(() => undefined)));
    await Promise.all(this.proxies.map((p) => p.close().catch(() => undefined)));
    await Promise.all(this.stores.map((s) => s.close().catch(() => undefined)));
    await this.dlq.stop();
    await this.admin.disconnect().catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
    const redis = new Redis(testRedisUrl());
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.redisPrefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    await this.db?.drop().catch(() => undefined);
  }
}
