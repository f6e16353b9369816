import { servicePort, Topics } from '@pulse/contracts';
import type { EnvReader } from '@pulse/core';
import { DEFAULT_ALLOWED_LATENESS_MS } from '@pulse/features';
import { readSharedInfrastructureSettings, type SharedInfrastructureSettings } from '@pulse/nest-common';

/** SIMULATOR: feed the platform with simulated learners; default on in embedded mode (no KAFKA_BROKERS). */
export interface SimulatorSettings {
  readonly enabled: boolean;
  readonly learners: number;
  readonly days: number;
  /** SIMULATOR_LIVE: after the backfill of `days`, go on in real time (default true). */
  readonly live: boolean;
  readonly ratePerSecond: number;
  readonly seed: string;
}

/** The bus, Postgres and online-store settings (SharedInfrastructureSettings), then the service's own. */
export interface FeatureServiceConfig extends SharedInfrastructureSettings {
  /** ENGAGEMENT_TOPIC / DLQ_TOPIC: overridable so tests and side-by-side deployments stay apart. */
  readonly topics: { readonly events: string; readonly dlq: string };
  /** CONSUMER_GROUP, default feature-service. */
  readonly consumerGroup: string;
  /** MAX_BATCH_SIZE: most messages per handled batch, default 10000 (a 1 MiB fetch of ~175 B records is ~6000). */
  readonly maxBatchSize: number;
  /**
   * MAX_PENDING_BATCHES (default 2): batches per partition whose dead letters may still be being
   * written while the next one is handled; each is committed once they are (SubscribeOptions.maxPendingBatches).
   */
  readonly maxPendingBatches: number;
  /**
   * MIN_BATCH_SIZE (default 4000, at most MAX_BATCH_SIZE) and MAX_BATCH_WAIT_MS (default 50): a batch
   * waits up to that long for that many events (SubscribeOptions.minBatchSize). An entity's state is read, folded and
   * written once per batch, so a busy service spends less per event on larger batches; a quiet one
   * adds at most the wait to an event's way in.
   */
  readonly minBatchSize: number;
  readonly maxBatchWaitMs: number;
  /** FEATURE_STATE_CACHE_ENTRIES: decoded entity states kept in memory for ingest and reads (0 = none), default 20000. */
  readonly stateCacheEntries: number;
  /** ALLOWED_LATENESS_MS: events older than the entity's watermark by more go to the DLQ, default 1 h. */
  readonly allowedLatenessMs: number;
  /** MAX_FUTURE_SKEW_MS: events further ahead of the wall clock are rejected, default 5 min. */
  readonly maxFutureSkewMs: number;
  /**
   * DLQ_RELAY_LEASE_MS (default 5000): one instance at a time publishes the dead-letter outbox to the
   * DLQ topic, holding a lease this long; another takes over this long after the holder died.
   */
  readonly dlqRelayLeaseMs: number;
  readonly simulator: SimulatorSettings;
}

export function loadFeatureServiceConfig(env: EnvReader): FeatureServiceConfig {
  const shared = readSharedInfrastructureSettings(env, {
    httpPort: servicePort('feature-service'),
    clientId: 'feature-service',
  });
  const maxBatchSize = env.int('MAX_BATCH_SIZE', 10_000, 1, 100_000);
  return {
    ...shared,
    topics: {
      events: env.string('ENGAGEMENT_TOPIC', Topics.engagementEvents),
      dlq: env.string('DLQ_TOPIC', Topics.engagementEventsDlq),
    },
    consumerGroup: env.string('CONSUMER_GROUP', 'feature-service'),
    maxBatchSize,
    maxPendingBatches: env.int('MAX_PENDING_BATCHES', 2, 1, 64),
    // Never above MAX_BATCH_SIZE: a batch cannot wait for more than it may hold.
    minBatchSize: Math.min(env.int('MIN_BATCH_SIZE', 4000, 1, 100_000), maxBatchSize),
    maxBatchWaitMs: env.int('MAX_BATCH_WAIT_MS', 50, 0, 10_000),
    stateCacheEntries: env.int('FEATURE_STATE_CACHE_ENTRIES', 20_000, 0, 10_000_000),
    allowedLatenessMs: env.int('ALLOWED_LATENESS_MS', DEFAULT_ALLOWED_LATENESS_MS, 0),
    maxFutureSkewMs: env.int('MAX_FUTURE_SKEW_MS', 300_000, 0),
    dlqRelayLeaseMs: env.int('DLQ_RELAY_LEASE_MS', 5000, 200, 600_000),
    simulator: readSimulatorSettings(env, shared.infra.kafkaBrokers === undefined),
  };
}

/** SIMULATOR (default `enabledByDefault`), SIMULATOR_LEARNERS, _DAYS, _LIVE, _RATE (events/s, 0 = as fast as it goes), _SEED. */
export function readSimulatorSettings(env: EnvReader, enabledByDefault: boolean): SimulatorSettings {
  return {
    enabled: env.bool('SIMULATOR', enabledByDefault),
    learners: env.int('SIMULATOR_LEARNERS', 300, 1, 1_000_000),
    days: env.int('SIMULATOR_DAYS', 60, 1, 3650),
    live: env.bool('SIMULATOR_LIVE', true),
    ratePerSecond: env.int('SIMULATOR_RATE', 2000, 0, 10_000_000),
    seed: env.string('SIMULATOR_SEED', '1'),
  };
}
