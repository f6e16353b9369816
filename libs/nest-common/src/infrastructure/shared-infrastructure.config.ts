import type { EnvReader } from '@pulse/core';
import { DEFAULT_SERVICE_STATE_KEY_PREFIX, DEFAULT_STATE_TTL_SECONDS } from '@pulse/features';
import { readInfrastructureConfig, type InfrastructureConfig } from '../config/infrastructure-config';

/** How to reach (or embed) what services share: the bus, Postgres and the online feature state. */
export interface SharedInfrastructureSettings {
  readonly infra: InfrastructureConfig;
  readonly kafka: {
    /** KAFKA_CLIENT_ID, default the service's name. */
    readonly clientId: string;
    /** KAFKA_IDEMPOTENT (default true; the test mock cluster needs false). */
    readonly idempotent: boolean;
    /**
     * PARTITIONS_CONCURRENTLY (default 4): batches of different partitions processed at once. Safe
     * because events are keyed by entity, so two partitions never share an entity's state; it overlaps
     * one batch's Postgres and Redis round trips with another's CPU work.
     */
    readonly partitionsConcurrently: number;
    /** KAFKA_SESSION_TIMEOUT_MS (default 10000). */
    readonly sessionTimeoutMs: number;
    /** KAFKA_HEARTBEAT_INTERVAL_MS (default 1000). */
    readonly heartbeatIntervalMs: number;
    /** KAFKA_MAX_WAIT_MS (default 200). */
    readonly maxWaitTimeMs: number;
  };
  readonly onlineStore: {
    /** REDIS_KEY_PREFIX, default `pulse:fs:`. */
    readonly keyPrefix: string;
    /** STATE_TTL_SECONDS: online state of an entity without events expires after this, default 90 days. */
    readonly ttlSeconds: number;
    /**
     * VERSION_WATCH: reads check cached states against a local copy of the stored versions, kept
     * current by the writers' messages (default true); false: a Redis round trip per read, so a read
     * never trails another instance's write by the message's delay.
     */
    readonly watchVersions: boolean;
  };
}

export function readSharedInfrastructureSettings(
  env: EnvReader,
  defaults: { readonly httpPort: number; readonly clientId: string },
): SharedInfrastructureSettings {
  return {
    infra: readInfrastructureConfig(env, { httpPort: defaults.httpPort }),
    kafka: {
      clientId: env.string('KAFKA_CLIENT_ID', defaults.clientId),
      idempotent: env.bool('KAFKA_IDEMPOTENT', true),
      partitionsConcurrently: env.int('PARTITIONS_CONCURRENTLY', 4, 1, 64),
      sessionTimeoutMs: env.int('KAFKA_SESSION_TIMEOUT_MS', 10_000, 1000, 300_000),
      heartbeatIntervalMs: env.int('KAFKA_HEARTBEAT_INTERVAL_MS', 1000, 100, 60_000),
      maxWaitTimeMs: env.int('KAFKA_MAX_WAIT_MS', 200, 10, 30_000),
    },
    onlineStore: {
      keyPrefix: env.string('REDIS_KEY_PREFIX', DEFAULT_SERVICE_STATE_KEY_PREFIX),
      ttlSeconds: env.int('STATE_TTL_SECONDS', DEFAULT_STATE_TTL_SECONDS, 0),
      watchVersions: env.bool('VERSION_WATCH', true),
    },
  };
}
