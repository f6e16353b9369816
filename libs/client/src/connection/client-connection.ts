import { Kafka, logLevel as KafkaLogLevel, type SASLOptions } from 'kafkajs';
import { kafkaSecurityFromEnv, type KafkaSecurity } from '@pulse/bus';
import { ConfigError, EnvReader } from '@pulse/core';

/** How much kafkajs itself logs (to the console, as JSON lines). */
export type ClientLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

const LOG_LEVELS: Record<ClientLogLevel, KafkaLogLevel> = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
};

/**
 * Where the brokers are and how to reach them. Every setting left out is read from the environment
 * variables the platform's services use (KAFKA_BROKERS, KAFKA_CLIENT_ID, KAFKA_IDEMPOTENT,
 * KAFKA_SESSION_TIMEOUT_MS, KAFKA_SSL*, KAFKA_SASL_*), so a client runs with the services' settings.
 */
export interface PulseConnectionOptions {
  /** host:port of one or more brokers. Default: KAFKA_BROKERS (comma-separated); one of the two is required. */
  readonly brokers?: readonly string[];
  /** Default: KAFKA_CLIENT_ID, else "pulse-client". */
  readonly clientId?: string;
  /**
   * TLS: true for the system's CAs, or PEM contents. Default: from KAFKA_SSL, KAFKA_SSL_CA_FILE,
   * KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE and KAFKA_SSL_REJECT_UNAUTHORIZED; false turns TLS off.
   */
  readonly ssl?: KafkaSecurity['ssl'] | false;
  /** SASL (plain, scram-sha-256, scram-sha-512). Default: from KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD. */
  readonly sasl?: KafkaSecurity['sasl'] | false;
  /** Default 3000. */
  readonly connectionTimeoutMs?: number;
  /** Retries of a failed request by kafkajs. Default 5. */
  readonly retries?: number;
  /** Default 'warn'. */
  readonly logLevel?: ClientLogLevel;
  /** The environment the defaults are read from. Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The settings after the environment filled in what the options left out. */
export interface ResolvedConnection {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly security: KafkaSecurity;
  readonly reader: EnvReader;
}

/** Fills in the options from the environment; a missing or malformed setting is a ConfigError naming its variable. */
export function resolveConnection(options: PulseConnectionOptions = {}): ResolvedConnection {
  const reader = new EnvReader(options.env ?? process.env);
  const brokers = options.brokers !== undefined ? [...options.brokers] : reader.list('KAFKA_BROKERS', []);
  if (brokers.length === 0 || brokers.some((b) => typeof b !== 'string' || !/^\S+:\d+$/.test(b))) {
    throw new ConfigError(
      'KAFKA_BROKERS',
      options.brokers !== undefined
        ? `brokers must be a non-empty list of host:port, got ${JSON.stringify(options.brokers)}`
        : 'KAFKA_BROKERS is not set: pass brokers or set KAFKA_BROKERS to host:port[,host:port]',
    );
  }
  // The environment's security is read only for what the options leave open, so a wrong variable
  // does not stop a client that overrides it.
  const fromEnv = options.ssl === undefined || options.sasl === undefined ? kafkaSecurityFromEnv(reader) : {};
  const ssl = options.ssl === undefined ? fromEnv.ssl : options.ssl || undefined;
  const sasl = options.sasl === undefined ? fromEnv.sasl : options.sasl || undefined;
  return {
    brokers,
    clientId: options.clientId ?? reader.string('KAFKA_CLIENT_ID', 'pulse-client'),
    security: { ...(ssl ? { ssl } : {}), ...(sasl ? { sasl } : {}) },
    reader,
  };
}

/** The kafkajs client for the resolved settings. */
export function createKafka(connection: ResolvedConnection, options: PulseConnectionOptions = {}): Kafka {
  return new Kafka({
    clientId: connection.clientId,
    brokers: [...connection.brokers],
    ssl: connection.security.ssl,
    sasl: connection.security.sasl as SASLOptions | undefined,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    retry: { retries: options.retries ?? 5 },
    logLevel: LOG_LEVELS[options.logLevel ?? 'warn'],
  });
}
