import { EnvReader } from '@pulse/core';
import type { MessageBus } from './bus.types';
import type { BusLogger } from './bus-logger';
import { InMemoryBus, type InMemoryBusOptions } from './in-memory/in-memory-bus';
import { KafkaBus, type KafkaBusOptions } from './kafka/kafka-bus';
import { kafkaSecurityFromEnv } from './kafka/kafka-security';

export interface BusConfig {
  /** Kafka bootstrap servers; empty or absent means the in-process bus. */
  brokers?: readonly string[];
  kafka?: Omit<KafkaBusOptions, 'brokers' | 'logger'>;
  inMemory?: Omit<InMemoryBusOptions, 'logger'>;
  logger?: BusLogger;
}

/** Kafka when brokers are configured, the in-process bus otherwise. */
export function createBus(config: BusConfig = {}): MessageBus {
  if (config.brokers && config.brokers.length > 0) {
    return new KafkaBus({ ...config.kafka, brokers: config.brokers, logger: config.logger });
  }
  return new InMemoryBus({ ...config.inMemory, logger: config.logger });
}

/**
 * Bus settings from the environment: KAFKA_BROKERS (comma-separated; absent = in-process bus),
 * KAFKA_CLIENT_ID (default pulse), KAFKA_IDEMPOTENT (default true), KAFKA_GZIP (default false),
 * KAFKA_SESSION_TIMEOUT_MS (default 6000), and the TLS/SASL variables of kafkaSecurityFromEnv.
 */
export function busConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BusConfig {
  const read = new EnvReader(env);
  const brokers = read.list('KAFKA_BROKERS', []);
  if (brokers.length === 0) return {};
  return {
    brokers,
    kafka: {
      clientId: read.string('KAFKA_CLIENT_ID', 'pulse'),
      idempotent: read.bool('KAFKA_IDEMPOTENT', true),
      gzip: read.bool('KAFKA_GZIP', false),
      sessionTimeoutMs: read.int('KAFKA_SESSION_TIMEOUT_MS', 6000, 1000, 300_000),
      security: kafkaSecurityFromEnv(read),
    },
  };
}
