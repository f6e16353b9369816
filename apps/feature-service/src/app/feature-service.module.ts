import { Module, type DynamicModule } from '@nestjs/common';
import { learningEngagementRegistry, type FeatureRegistry } from '@pulse/features';
import { HealthModule, MetricsModule } from '@pulse/nest-common';
import { Registry } from 'prom-client';
import type { FeatureServiceConfig } from '../config/feature-service.config';
import { SimulatorFeeder } from '../embedded/simulator-feeder';
import { FeaturesController } from '../features/features.controller';
import { FeatureReadService } from '../features/feature-read.service';
import type { Infrastructure } from '../infrastructure/infrastructure';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { engagementEventsHandler } from '../ingest/engagement-events.handler';
import { EventsController } from '../ingest/events.controller';
import { HttpIngestService } from '../ingest/http-ingest.service';
import { IngestService } from '../ingest/ingest.service';
import { FEATURE_REGISTRY, FS_CONFIG, INFRASTRUCTURE, INGEST_STATUS } from './tokens';
import { IngestStatus } from '../ingest/ingest-status';

export interface FeatureServiceModuleOptions {
  /** The configuration, read and validated once at startup (loadConfig + loadFeatureServiceConfig). */
  readonly config: FeatureServiceConfig;
  /** Metrics registry; default a new one (tests running several apps in one process pass their own). */
  readonly registry?: Registry;
  /**
   * The feature views to keep and serve; default the learning-engagement views with the configured
   * ALLOWED_LATENESS_MS (a registry passed here keeps its own lateness).
   */
  readonly featureRegistry?: FeatureRegistry;
}

/**
 * feature-service: consumes engagement events into the event log and the online feature state, and
 * serves point-in-time feature values over HTTP.
 */
@Module({})
export class FeatureServiceModule {
  static register(options: FeatureServiceModuleOptions): DynamicModule {
    const registry = options.registry ?? new Registry();
    const ingestStatus = new IngestStatus();
    return {
      module: FeatureServiceModule,
      imports: [
        MetricsModule.register({ registry }),
        InfrastructureModule.register(options.config, registry),
        HealthModule.registerAsync({
          inject: [INFRASTRUCTURE],
          useFactory: (infra: Infrastructure) => ({
            postgres: infra.storage.dataSource,
            ...(infra.redis ? { redis: infra.redis } : {}),
            ...(infra.embedded.bus ? {} : { kafka: () => infra.bus.ping() }),
            checks: { ingest: () => ingestStatus.check() },
          }),
        }),
      ],
      controllers: [FeaturesController, EventsController, engagementEventsHandler(options.config.topics.events)],
      providers: [
        {
          provide: FEATURE_REGISTRY,
          inject: [FS_CONFIG],
          useFactory: (config: FeatureServiceConfig) =>
            options.featureRegistry ?? learningEngagementRegistry({ allowedLatenessMs: config.allowedLatenessMs }),
        },
        { provide: INGEST_STATUS, useValue: ingestStatus },
        IngestService,
        HttpIngestService,
        FeatureReadService,
        SimulatorFeeder,
      ],
    };
  }
}
