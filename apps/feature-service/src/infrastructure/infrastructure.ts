import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { createBus, type BusLogger, type MessageBus } from '@pulse/bus';
import { InMemoryOnlineStore, type OnlineStore } from '@pulse/features';
import { RedisOnlineStore } from '@pulse/redis-store';
import type { StoreMetrics } from '@pulse/observability';
import {
  DeadLetterOutbox,
  initStorage,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
  type Storage,
} from '@pulse/storage';
import type { FeatureServiceConfig } from '../config/feature-service.config';
import { TimedOnlineStore } from './timed-online-store';

/** The service's connections: real ones where configured, embedded stand-ins otherwise. */
export interface Infrastructure {
  readonly bus: MessageBus;
  readonly storage: Storage;
  readonly onlineStore: OnlineStore;
  /** Dead letters: written durably once per source record, published to the DLQ topic once by its relay. */
  readonly deadLetters: DeadLetterOutbox;
  /** The Redis client behind the online store, when there is one (for /health). */
  readonly redis?: Redis;
  /** Which parts are embedded, for the startup log and /health. */
  readonly embedded: { readonly bus: boolean; readonly database: boolean; readonly onlineStore: boolean };
  close(): Promise<void>;
}

export interface InfrastructureDeps {
  readonly metrics: StoreMetrics;
  readonly busLogger?: BusLogger;
}

export async function startInfrastructure(
  config: FeatureServiceConfig,
  deps: InfrastructureDeps,
): Promise<Infrastructure> {
  const closers: (() => Promise<void>)[] = [];
  try {
    let embeddedPg: EmbeddedPostgres | undefined;
    if (config.infra.databaseUrl === undefined) {
      embeddedPg = await startEmbeddedPostgres({ dataDir: config.infra.dataDir ?? 'memory' });
      closers.push(() => embeddedPg!.stop());
    }
    const storage = await initStorage({
      ...(embeddedPg ? embeddedPg.storageOptions : { url: config.infra.databaseUrl! }),
      eventLog: {
        ...embeddedPg?.storageOptions.eventLog,
        observe: (op, seconds) => deps.metrics.postgresOpDuration.observe({ op }, seconds),
      },
    });
    closers.push(() => storage.close());

    let redis: Redis | undefined;
    if (config.infra.redisUrl) {
      redis = new Redis(config.infra.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
      await redis.connect();
      const client = redis;
      closers.push(async () => void (await client.quit()));
    }
    const onlineStore: OnlineStore = new TimedOnlineStore(
      redis
        ? new RedisOnlineStore({
            redis,
            keyPrefix: config.redisKeyPrefix,
            ttlSeconds: config.stateTtlSeconds,
            watchVersions: config.versionWatch,
          })
        : new InMemoryOnlineStore({ ttlSeconds: config.stateTtlSeconds }),
      deps.metrics.redisOpDuration,
    );
    closers.push(() => onlineStore.close());

    const bus = createBus({
      brokers: config.infra.kafkaBrokers,
      kafka: {
        clientId: config.kafkaClientId,
        idempotent: config.kafkaIdempotent,
        partitionsConsumedConcurrently: config.partitionsConcurrently,
        ...config.kafkaTimings,
      },
      logger: deps.busLogger,
    });
    closers.push(() => bus.close());
    // At start, not at the first dead letter or POST /v1/events: a broker that cannot serve the
    // producer as configured (KAFKA_IDEMPOTENT) fails the start, naming the variable.
    await bus.connectPublisher();

    const relayLog = new Logger('DeadLetterRelay');
    const deadLetters = new DeadLetterOutbox(storage.dataSource, bus, {
      topic: config.topics.dlq,
      leaseMs: config.dlqRelayLeaseMs,
      observe: (op, seconds) => deps.metrics.postgresOpDuration.observe({ op }, seconds),
      onError: (error) =>
        relayLog.warn(
          `publishing dead letters failed, retrying: ${error instanceof Error ? error.message : String(error)}`,
        ),
      onRecovered: (r) =>
        relayLog.log(
          `dead letters left in flight resolved by reading ${config.topics.dlq} back: ${r.landed} had landed, ${r.requeued} published again`,
        ),
    });
    deadLetters.start();
    // Closers run in reverse: the relay stops before the bus and Postgres close.
    closers.push(() => deadLetters.stop());

    return {
      bus,
      storage,
      onlineStore,
      deadLetters,
      redis,
      embedded: {
        bus: bus.kind === 'in-memory',
        database: embeddedPg !== undefined,
        onlineStore: !config.infra.redisUrl,
      },
      // Bus first (stops consuming and finishes the batch in hand), then the stores it writes to.
      close: () => closeAll(closers),
    };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}

async function closeAll(closers: (() => Promise<void>)[]): Promise<void> {
  for (const close of [...closers].reverse()) {
    try {
      await close();
    } catch {
      // Keep closing the rest: a failed close of one dependency must not leak the others.
    }
  }
}
