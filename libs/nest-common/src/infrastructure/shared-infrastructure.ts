import Redis from 'ioredis';
import { createBus, type BusLogger, type MessageBus } from '@pulse/bus';
import { InMemoryOnlineStore, type OnlineStore } from '@pulse/features';
import { RedisOnlineStore } from '@pulse/redis-store';
import {
  initStorage,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
  type EventLogRepositoryOptions,
  type Storage,
} from '@pulse/storage';
import type { SharedInfrastructureSettings } from './shared-infrastructure.config';

/** Which parts run in this process instead of on real infrastructure. */
export interface EmbeddedParts {
  readonly bus: boolean;
  readonly database: boolean;
  readonly onlineStore: boolean;
}

/**
 * The connections services share: real ones where configured, embedded stand-ins otherwise. One
 * process holds one of these whatever it hosts (one service alone, or the platform's all of them):
 * the embedded stand-ins only work shared, as the in-process bus and store exist once per process and
 * the embedded Postgres takes one connection.
 */
export interface SharedInfrastructure {
  readonly bus: MessageBus;
  /** The platform's schema, migrated; services make their repositories on `storage.dataSource`. */
  readonly storage: Storage;
  /** What an event-log repository on this database must be made with (the embedded one has no COPY). */
  readonly eventLogOptions: EventLogRepositoryOptions;
  /** The online feature state, unwrapped (services time their own calls). */
  readonly onlineStore: OnlineStore;
  /** The Redis client behind the online store, when there is one (for /health). */
  readonly redis?: Redis;
  readonly embedded: EmbeddedParts;
  /** Closes the bus first (consumers finish the batch in hand), then the stores. */
  close(): Promise<void>;
}

export interface SharedInfrastructureDeps {
  readonly busLogger?: BusLogger;
}

export async function startSharedInfrastructure(
  settings: SharedInfrastructureSettings,
  deps: SharedInfrastructureDeps = {},
): Promise<SharedInfrastructure> {
  const { infra } = settings;
  const closers: (() => Promise<void>)[] = [];
  try {
    let embeddedPg: EmbeddedPostgres | undefined;
    if (infra.databaseUrl === undefined) {
      embeddedPg = await startEmbeddedPostgres({ dataDir: infra.dataDir ?? 'memory' });
      closers.push(() => embeddedPg!.stop());
    }
    const storage = await initStorage(embeddedPg ? embeddedPg.storageOptions : { url: infra.databaseUrl! });
    closers.push(() => storage.close());

    let redis: Redis | undefined;
    if (infra.redisUrl) {
      redis = new Redis(infra.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
      await redis.connect();
      const client = redis;
      closers.push(async () => void (await client.quit()));
    }
    const store = settings.onlineStore;
    const onlineStore: OnlineStore = redis
      ? new RedisOnlineStore({
          redis,
          keyPrefix: store.keyPrefix,
          ttlSeconds: store.ttlSeconds,
          watchVersions: store.watchVersions,
        })
      : new InMemoryOnlineStore({ ttlSeconds: store.ttlSeconds });
    closers.push(() => onlineStore.close());

    const { partitionsConcurrently, ...kafka } = settings.kafka;
    const bus = createBus({
      brokers: infra.kafkaBrokers,
      kafka: { ...kafka, security: infra.kafkaSecurity, partitionsConsumedConcurrently: partitionsConcurrently },
      logger: deps.busLogger,
    });
    closers.push(() => bus.close());
    // At start, not at the first dead letter or POST /v1/events: a broker that cannot serve the
    // producer as configured (KAFKA_IDEMPOTENT) fails the start, naming the variable.
    await bus.connectPublisher();

    return {
      bus,
      storage,
      eventLogOptions: embeddedPg?.storageOptions.eventLog ?? {},
      onlineStore,
      redis,
      embedded: { bus: bus.kind === 'in-memory', database: embeddedPg !== undefined, onlineStore: !redis },
      close: () => closeAll(closers),
    };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}

/** In reverse order of opening; a failed close of one dependency must not leak the others. */
export async function closeAll(closers: readonly (() => Promise<void>)[]): Promise<void> {
  for (const close of [...closers].reverse()) {
    try {
      await close();
    } catch {
      // keep closing the rest
    }
  }
}

/** One line saying what runs where, for startup logs. */
export function describeInfrastructure(e: EmbeddedParts): string {
  return `bus: ${e.bus ? 'in-process' : 'kafka'}, database: ${e.database ? 'embedded PGlite' : 'postgres'}, online store: ${e.onlineStore ? 'in-process' : 'redis'}`;
}
