import type Redis from 'ioredis';
import type { MessageBus, Publisher } from '@pulse/bus';
import { FeatureReader, learningEngagementRegistry, StateCache, type FeatureRegistry } from '@pulse/features';
import { closeAll, startSharedInfrastructure, type EmbeddedParts, type SharedInfrastructure } from '@pulse/nest-common';
import { EventLogRepository, ModelRegistryRepository } from '@pulse/storage';
import type { DataSource } from 'typeorm';
import type { InferenceServiceMetrics } from '../app/inference-service.metrics';
import type { InferenceServiceConfig } from '../config/inference-service.config';

/** The service's view of its connections: the shared ones, plus what it reads them through. */
export interface InferenceInfrastructure {
  readonly bus: MessageBus;
  readonly publisher: Publisher;
  readonly dataSource: DataSource;
  readonly registry: ModelRegistryRepository;
  readonly eventLog: EventLogRepository;
  /** The feature views, as feature-service folds them and training replays them. */
  readonly featureRegistry: FeatureRegistry;
  /** Features as of a time: the online state, or the event log's replay for an earlier time. */
  readonly features: FeatureReader;
  readonly redis?: Redis;
  readonly embedded: EmbeddedParts;
  close(): Promise<void>;
}

export async function startInferenceInfrastructure(
  config: InferenceServiceConfig,
  metrics: InferenceServiceMetrics,
  shared?: SharedInfrastructure,
): Promise<InferenceInfrastructure> {
  const connections = shared ?? (await startSharedInfrastructure(config));
  const closers: (() => Promise<void>)[] = shared ? [] : [() => connections.close()];
  try {
    const dataSource = connections.storage.dataSource;
    const eventLog = new EventLogRepository(dataSource, connections.eventLogOptions);
    const featureRegistry = learningEngagementRegistry();
    const features = new FeatureReader({
      store: connections.onlineStore,
      events: eventLog,
      registry: featureRegistry,
      // Decoded states (and their evaluated views) kept by version: a read then costs a version probe
      // unless feature-service wrote the entity since.
      states: new StateCache({ maxEntries: config.stateCacheEntries }),
      evaluatedEntries: config.stateCacheEntries,
      onRead: (path, entities) => metrics.featureReads.inc({ path }, entities),
    });
    return {
      bus: connections.bus,
      publisher: connections.bus.createPublisher(),
      dataSource,
      registry: new ModelRegistryRepository(dataSource),
      eventLog,
      featureRegistry,
      features,
      ...(connections.redis ? { redis: connections.redis } : {}),
      embedded: connections.embedded,
      close: () => closeAll(closers),
    };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}
