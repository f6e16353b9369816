import type { FactoryProvider } from '@nestjs/common';
import { FeatureReader, type FeatureRegistry, type OnlineStore, type StateCache } from '@pulse/features';
import type { EventLogRepository } from '@pulse/storage';
import type { FsMetrics } from '../app/feature-service.metrics';
import { EVENT_LOG, FEATURE_REGISTRY, FEATURE_STATE_CACHE, FS_CONFIG, FS_METRICS, ONLINE_STORE } from '../app/tokens';
import type { FeatureServiceConfig } from '../config/feature-service.config';

/**
 * The read path (FeatureReader, framework-free) on the service's store, event log and registry,
 * sharing ingest's state cache and counting reads per path; injected by its class.
 */
export const featureReaderProvider: FactoryProvider<FeatureReader> = {
  provide: FeatureReader,
  inject: [ONLINE_STORE, EVENT_LOG, FEATURE_REGISTRY, FS_METRICS, FEATURE_STATE_CACHE, FS_CONFIG],
  useFactory: (
    store: OnlineStore,
    events: EventLogRepository,
    registry: FeatureRegistry,
    metrics: FsMetrics,
    states: StateCache,
    config: FeatureServiceConfig,
  ) =>
    new FeatureReader({
      store,
      events,
      registry,
      states,
      evaluatedEntries: config.stateCacheEntries,
      onRead: (path, entities) => metrics.featureReads.inc({ path }, entities),
      onAnswered: (atMs, watermarks) => {
        for (let i = 0; i < watermarks.length; i++) {
          const w = watermarks[i];
          if (!Number.isNaN(w)) metrics.featureStaleness.observe(Math.max(0, atMs - w) / 1000);
        }
      },
    }),
};
