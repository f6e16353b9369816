import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { BusLogger, MessageBus } from '@pulse/bus';
import type { OnlineStore } from '@pulse/features';
import { closeAll, startSharedInfrastructure, type EmbeddedParts, type SharedInfrastructure } from '@pulse/nest-common';
import type { StoreMetrics } from '@pulse/observability';
import { DeadLetterOutbox, EventLogRepository, type Storage } from '@pulse/storage';
import type { FeatureServiceConfig } from '../config/feature-service.config';
import { TimedOnlineStore } from './timed-online-store';

/** The service's view of its connections: the shared ones, timed into its metrics, plus what it owns. */
export interface Infrastructure {
  readonly bus: MessageBus;
  readonly dataSource: Storage['dataSource'];
  readonly eventLog: EventLogRepository;
  readonly onlineStore: OnlineStore;
  /** Dead letters: written durably once per source record, published to the DLQ topic once by its relay. */
  readonly deadLetters: DeadLetterOutbox;
  /** The Redis client behind the online store, when there is one (for /health). */
  readonly redis?: Redis;
  /** Which parts are embedded, for the startup log and /health. */
  readonly embedded: EmbeddedParts;
  close(): Promise<void>;
}

export interface InfrastructureDeps {
  readonly metrics: StoreMetrics;
  readonly busLogger?: BusLogger;
  /** Connections another part of the process made (the platform's): used, never closed here. */
  readonly shared?: SharedInfrastructure;
}

export async function startInfrastructure(
  config: FeatureServiceConfig,
  deps: InfrastructureDeps,
): Promise<Infrastructure> {
  const shared = deps.shared ?? (await startSharedInfrastructure(config, { busLogger: deps.busLogger }));
  // Closed in reverse: the relay stops before the connections it uses (when they are this service's own).
  const closers: (() => Promise<void>)[] = deps.shared ? [] : [() => shared.close()];
  try {
    const observe = (op: string, seconds: number) => deps.metrics.postgresOpDuration.observe({ op }, seconds);
    const eventLog = new EventLogRepository(shared.storage.dataSource, { ...shared.eventLogOptions, observe });
    const onlineStore = new TimedOnlineStore(shared.onlineStore, deps.metrics.redisOpDuration);

    const relayLog = new Logger('DeadLetterRelay');
    const deadLetters = new DeadLetterOutbox(shared.storage.dataSource, shared.bus, {
      topic: config.topics.dlq,
      leaseMs: config.dlqRelayLeaseMs,
      observe,
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
    closers.push(() => deadLetters.stop());

    return {
      bus: shared.bus,
      dataSource: shared.storage.dataSource,
      eventLog,
      onlineStore,
      deadLetters,
      redis: shared.redis,
      embedded: shared.embedded,
      close: () => closeAll(closers),
    };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}
