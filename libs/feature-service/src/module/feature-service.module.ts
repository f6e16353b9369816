import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { Topics } from '@pulse/contracts';
import { ConfigError } from '@pulse/core';
import { HealthModule, LoggingModule, MetricsModule } from '@pulse/nest-common';
import { FS_OPTIONS, INFRASTRUCTURE, INGEST_STATUS } from '../app/tokens';
import { SimulatorFeeder } from '../embedded/simulator-feeder';
import { featureReaderProvider } from '../features/feature-reader.provider';
import { FeaturesController } from '../features/features.controller';
import type { Infrastructure } from '../infrastructure/infrastructure';
import { InfrastructureModule } from '../infrastructure/infrastructure.module';
import { engagementEventsHandler } from '../ingest/engagement-events.handler';
import { EventsController } from '../ingest/events.controller';
import { HttpIngestService } from '../ingest/http-ingest.service';
import type { IngestStatus } from '../ingest/ingest-status';
import { IngestService } from '../ingest/ingest.service';
import type { FeatureServiceModuleAsyncOptions, FeatureServiceModuleOptions } from './feature-service.options';

/**
 * feature-service: consumes engagement events into the event log and the online feature state, and
 * serves point-in-time feature values over HTTP. `register(options)`, or `registerAsync({ imports,
 * inject, useFactory })` for options made from other providers.
 */
@Module({})
export class FeatureServiceModule {
  static register(options: FeatureServiceModuleOptions): DynamicModule {
    return definition({ provide: FS_OPTIONS, useValue: options }, [], options.config.topics.events);
  }

  static registerAsync(options: FeatureServiceModuleAsyncOptions): DynamicModule {
    const topic = options.eventsTopic ?? Topics.engagementEvents;
    const factory = options.useFactory as (...args: unknown[]) => ReturnType<typeof options.useFactory>;
    return definition(
      {
        provide: FS_OPTIONS,
        inject: options.inject ?? [],
        useFactory: async (...args: unknown[]) => {
          const resolved = await factory(...args);
          if (resolved.config.topics.events !== topic)
            throw new ConfigError(
              'ENGAGEMENT_TOPIC',
              `ENGAGEMENT_TOPIC is ${JSON.stringify(resolved.config.topics.events)} but the module was defined to consume ${JSON.stringify(topic)} (registerAsync's eventsTopic)`,
            );
          return resolved;
        },
      },
      options.imports ?? [],
      topic,
    );
  }
}

function definition(options: Provider, imports: ModuleMetadata['imports'], topic: string): DynamicModule {
  return {
    module: FeatureServiceModule,
    imports: [
      // Feature reads are many and small: their request records are debug (LOG_LEVEL=debug shows them).
      LoggingModule.forRoot({ name: 'feature-service', successLevel: 'debug' }),
      InfrastructureModule.register(options, imports),
      MetricsModule.registerAsync({
        inject: [FS_OPTIONS],
        useFactory: (o: FeatureServiceModuleOptions) => ({ registry: o.registry }),
      }),
      HealthModule.registerAsync({
        inject: [INFRASTRUCTURE, INGEST_STATUS],
        useFactory: (infra: Infrastructure, ingest: IngestStatus) => ({
          postgres: infra.dataSource,
          ...(infra.redis ? { redis: infra.redis } : {}),
          ...(infra.embedded.bus ? {} : { kafka: () => infra.bus.ping() }),
          checks: { ingest: () => ingest.check() },
        }),
      }),
    ],
    controllers: [FeaturesController, EventsController, engagementEventsHandler(topic)],
    providers: [IngestService, HttpIngestService, featureReaderProvider, SimulatorFeeder],
  };
}
