import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type ModuleMetadata,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { learningEngagementRegistry, StateCache } from '@pulse/features';
import { Registry } from 'prom-client';
import { createFsMetrics, type FsMetrics } from '../app/feature-service.metrics';
import {
  DEAD_LETTERS,
  EVENT_LOG,
  FEATURE_REGISTRY,
  FEATURE_STATE_CACHE,
  FS_CONFIG,
  FS_METRICS,
  FS_OPTIONS,
  INFRASTRUCTURE,
  INGEST_STATUS,
  ONLINE_STORE,
  PUBLISHER,
} from '../app/tokens';
import type { FeatureServiceConfig } from '../config/feature-service.config';
import { IngestStatus } from '../ingest/ingest-status';
import type { FeatureServiceModuleOptions } from '../module/feature-service.options';
import { startInfrastructure, type Infrastructure } from './infrastructure';

/** Closes the connections after Nest has stopped the transport (which finishes the batch in hand). */
@Injectable()
class InfrastructureLifecycle implements OnApplicationShutdown {
  constructor(@Inject(INFRASTRUCTURE) private readonly infra: Infrastructure) {}
  async onApplicationShutdown(): Promise<void> {
    await this.infra.close();
  }
}

const EXPORTED = [
  FS_OPTIONS,
  FS_CONFIG,
  FS_METRICS,
  FEATURE_REGISTRY,
  INFRASTRUCTURE,
  EVENT_LOG,
  ONLINE_STORE,
  PUBLISHER,
  FEATURE_STATE_CACHE,
  DEAD_LETTERS,
  INGEST_STATUS,
];

/**
 * The service's options, connections (bus, Postgres, online store), metrics and shared state, available
 * to every module of the service. `options`: the provider of FS_OPTIONS (a value, or a factory with
 * the `imports` it injects from).
 */
@Global()
@Module({})
export class InfrastructureModule {
  static register(options: Provider, imports: ModuleMetadata['imports'] = []): DynamicModule {
    return {
      module: InfrastructureModule,
      imports,
      providers: [
        options,
        { provide: FS_CONFIG, inject: [FS_OPTIONS], useFactory: (o: FeatureServiceModuleOptions) => o.config },
        // The registry MetricsModule serves at /metrics (given the same options)
        { provide: FS_METRICS, inject: [Registry], useFactory: (registry: Registry) => createFsMetrics(registry) },
        {
          provide: FEATURE_REGISTRY,
          inject: [FS_OPTIONS],
          useFactory: (o: FeatureServiceModuleOptions) =>
            o.featureRegistry ?? learningEngagementRegistry({ allowedLatenessMs: o.config.allowedLatenessMs }),
        },
        {
          provide: INFRASTRUCTURE,
          inject: [FS_OPTIONS, FS_METRICS],
          useFactory: (o: FeatureServiceModuleOptions, metrics: FsMetrics) =>
            startInfrastructure(o.config, { metrics, shared: o.shared }),
        },
        { provide: EVENT_LOG, inject: [INFRASTRUCTURE], useFactory: (infra: Infrastructure) => infra.eventLog },
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
        { provide: INGEST_STATUS, useFactory: () => new IngestStatus() },
        InfrastructureLifecycle,
      ],
      exports: EXPORTED,
    };
  }
}
