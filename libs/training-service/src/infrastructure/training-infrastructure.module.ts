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
import { DEFAULT_MODELS } from '@pulse/models';
import { Registry } from 'prom-client';
import { createTrainingServiceMetrics } from '../app/training-service.metrics';
import { MODEL_SPECS, TS_CONFIG, TS_INFRASTRUCTURE, TS_METRICS, TS_OPTIONS } from '../app/tokens';
import type { TrainingServiceModuleOptions } from '../module/training-service.options';
import { startTrainingInfrastructure, type TrainingInfrastructure } from './training-infrastructure';

/** Closes the connections after Nest has stopped the transport and the background work. */
@Injectable()
class InfrastructureLifecycle implements OnApplicationShutdown {
  constructor(@Inject(TS_INFRASTRUCTURE) private readonly infra: TrainingInfrastructure) {}
  async onApplicationShutdown(): Promise<void> {
    await this.infra.close();
  }
}

/**
 * The service's options, connections, repositories, metrics and model specs, available to every module
 * of the service. `options`: the provider of TS_OPTIONS (a value, or a factory with its `imports`).
 */
@Global()
@Module({})
export class TrainingInfrastructureModule {
  static register(options: Provider, imports: ModuleMetadata['imports'] = []): DynamicModule {
    return {
      module: TrainingInfrastructureModule,
      imports,
      providers: [
        options,
        { provide: TS_CONFIG, inject: [TS_OPTIONS], useFactory: (o: TrainingServiceModuleOptions) => o.config },
        // The registry MetricsModule serves at /metrics (given the same options)
        {
          provide: TS_METRICS,
          inject: [Registry],
          useFactory: (registry: Registry) => createTrainingServiceMetrics(registry),
        },
        {
          provide: TS_INFRASTRUCTURE,
          inject: [TS_OPTIONS],
          useFactory: (o: TrainingServiceModuleOptions) => startTrainingInfrastructure(o.config, o.shared),
        },
        // The specs a worker thread can find by name too (it imports the same defaults).
        { provide: MODEL_SPECS, useValue: DEFAULT_MODELS },
        InfrastructureLifecycle,
      ],
      exports: [TS_OPTIONS, TS_CONFIG, TS_METRICS, TS_INFRASTRUCTURE, MODEL_SPECS],
    };
  }
}
