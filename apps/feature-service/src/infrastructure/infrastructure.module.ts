import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { StateCache } from '@pulse/features';
import type { Registry } from 'prom-client';
import { createFsMetrics, type FsMetrics } from '../app/feature-service.metrics';
import {
  DEAD_LETTERS,
  EVENT_LOG,
  FEATURE_STATE_CACHE,
  FS_CONFIG,
  FS_METRICS,
  INFRASTRUCTURE,
  ONLINE_STORE,
  PUBLISHER,
} from '../app/tokens';
import type { FeatureServiceConfig } from '../config/feature-service.config';
import { startInfrastructure, type Infrastructure } from './infrastructure';

/** Closes the connections after Nest has stopped the transport (which finishes the batch in hand). */
@Injectable()
class InfrastructureLifecycle implements OnApplicationShutdown {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}
  async onApplicationShutdown(): Promise<void> {
    await this.infra.close();
  }
}

/** Connections (bus, Postgres, online store) and metrics, available to every module of the service. */
@Global()
@Module({})
export class InfrastructureModule {
  static register(config: FeatureServiceConfig, registry: Registry): DynamicModule {
    const exported = [
      FS_CONFIG,
      FS_METRICS,
      INFRASTRUCTURE,
      EVENT_LOG,
      ONLINE_STORE,
      PUBLISHER,
      FEATURE_STATE_CACHE,
      DEAD_LETTERS,
    ];
    return {
      module: InfrastructureModule,
      providers: [
        { provide: FS_CONFIG, useValue: config },
        { provide: FS_METRICS, useFactory: () => createFsMetrics(registry) },
        {
          provide: INFRASTRUCTURE,
          inject: [FS_CONFIG, FS_METRICS],
          useFactory: (config: FeatureServiceConfig, metrics: FsMetrics) => startInfrastructure(config, { metrics }),
        },
        { provide: EVENT_LOG, inject: [INFRASTRUCTURE], useFactory: (infra: Infrastructure) => infra.storage.eventLog },
        { provide: ONLINE_STORE, inject: [INFRASTRUCTURE], useFactory: (infra: Infrastructure) => infra.onlineStore },
        // One cache of decoded states for the service: ingest keeps what it wrote, reads use what is current.
        {
          provide: FEATURE_STATE_CACHE,
          inject: [FS_CONFIG],
          useFactory: (config: FeatureServiceConfig) => new StateCache({ maxEntries: config.stateCacheEntries }),
        },
        {
          provide: PUBLISHER,
          inject: [INFRASTRUCTURE],
          useFactory: (infra: Infrastructure) => infra.bus.createPublisher(),
        },
        { provide: DEAD_LETTERS, inject: [INFRASTRUCTURE], useFactory: (infra: Infrastructure) => infra.deadLetters },
        InfrastructureLifecycle,
      ],
      exports: exported,
    };
  }
}
