import { DataSource, MigrationExecutor } from 'typeorm';
import { ConnectionError } from '@pulse/core';
import { EventLogEntity } from './event-log/event-log.entity';
import { EventLogRepository, type EventLogRepositoryOptions } from './event-log/event-log.repository';
import { STORAGE_MIGRATIONS } from './migrations/migrations';

export interface StorageOptions {
  /** postgres://user[:password]@host:port/database */
  readonly url: string;
  /** Connections in the pool. Default 10; embedded PGlite needs 1 (see startEmbeddedPostgres). */
  readonly poolSize?: number;
  /** Log every SQL statement through TypeORM's logger. Default false. */
  readonly logging?: boolean;
  /** Give up connecting after this long. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Close pooled connections idle this long; 0 keeps them forever. Default 10000 ms. */
  readonly idleTimeoutMs?: number;
  /** Shown in pg_stat_activity. Default "pulse". */
  readonly applicationName?: string;
}

/** A DataSource for the platform's schema; not yet connected. Schema changes only come from migrations. */
export function createDataSource(options: StorageOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: [EventLogEntity],
    migrations: STORAGE_MIGRATIONS,
    migrationsTableName: 'pulse_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: options.logging ?? false,
    poolSize: options.poolSize ?? 10,
    connectTimeoutMS: options.connectTimeoutMs ?? 5000,
    applicationName: options.applicationName ?? 'pulse',
    extra: { idleTimeoutMillis: options.idleTimeoutMs ?? 10_000 },
  });
}

// Arbitrary constant shared by every copy of every service: serialises concurrent migration runs.
const MIGRATION_LOCK_KEY = 7_240_315_001;

/**
 * Applies pending migrations under a session advisory lock, so several service copies starting at
 * once do not race; the lock and the migrations share one connection, which also keeps a
 * one-connection pool from deadlocking. Returns the names of the migrations applied.
 */
export async function runStorageMigrations(dataSource: DataSource): Promise<string[]> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  try {
    await queryRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, queryRunner);
      executor.transaction = 'each';
      const applied = await executor.executePendingMigrations();
      return applied.map((m) => m.name);
    } finally {
      await queryRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await queryRunner.release();
  }
}

export interface Storage {
  readonly dataSource: DataSource;
  readonly eventLog: EventLogRepository;
  /** Names of the migrations this start applied (empty when the schema was current). */
  readonly appliedMigrations: string[];
  close(): Promise<void>;
}

export interface InitStorageOptions extends StorageOptions {
  readonly eventLog?: EventLogRepositoryOptions;
}

/** Connects, brings the schema up to date and returns the repositories. */
export async function initStorage(options: InitStorageOptions): Promise<Storage> {
  const dataSource = createDataSource(options);
  try {
    await dataSource.initialize();
  } catch (err) {
    throw new ConnectionError(`cannot connect to Postgres at ${redactUrl(options.url)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    const appliedMigrations = await runStorageMigrations(dataSource);
    return {
      dataSource,
      eventLog: new EventLogRepository(dataSource, options.eventLog),
      appliedMigrations,
      close: async () => {
        if (dataSource.isInitialized) await dataSource.destroy();
      },
    };
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}
