import { kafkaSecurityFromEnv, type KafkaSecurity } from '@pulse/bus';
import { ConfigError, type EnvReader } from '@pulse/core';

/**
 * The settings every service shares. Each of KAFKA_BROKERS, DATABASE_URL and REDIS_URL switches one
 * dependency from its embedded stand-in to the real thing; absent means embedded.
 */
export interface InfrastructureConfig {
  /** PORT, default 3001. */
  readonly httpPort: number;
  /** KAFKA_BROKERS (comma separated); undefined: in-process bus. */
  readonly kafkaBrokers?: readonly string[];
  /** KAFKA_SSL*, KAFKA_SASL_*: TLS and SASL to the brokers (see kafkaSecurityFromEnv). */
  readonly kafkaSecurity: KafkaSecurity;
  /** DATABASE_URL; undefined: embedded PGlite. */
  readonly databaseUrl?: string;
  /** REDIS_URL; undefined: in-process online store. */
  readonly redisUrl?: string;
  /** PULSE_DATA_DIR: where the embedded database keeps its files; undefined: in memory. */
  readonly dataDir?: string;
}

export function readInfrastructureConfig(env: EnvReader, defaults: { httpPort?: number } = {}): InfrastructureConfig {
  const brokers = env.optionalString('KAFKA_BROKERS') === undefined ? undefined : env.list('KAFKA_BROKERS');
  if (brokers !== undefined && brokers.length === 0) {
    // A value of only commas or spaces is a mistake, not a request for the embedded bus.
    throw new ConfigError('KAFKA_BROKERS', 'KAFKA_BROKERS must list at least one host:port');
  }
  return {
    httpPort: env.int('PORT', defaults.httpPort ?? 3001, 0, 65535),
    kafkaBrokers: brokers,
    kafkaSecurity: brokers === undefined ? {} : kafkaSecurityFromEnv(env),
    databaseUrl: env.optionalString('DATABASE_URL'),
    redisUrl: env.optionalString('REDIS_URL'),
    dataDir: env.optionalString('PULSE_DATA_DIR'),
  };
}
