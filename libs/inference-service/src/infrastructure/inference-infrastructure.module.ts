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
import { Registry } from 'prom-client';
import { createInferenceServiceMetrics, type InferenceServiceMetrics } from '../app/inference-service.metrics';
import { IS_CONFIG, IS_INFRASTRUCTURE, IS_METRICS, IS_OPTIONS } from '../app/tokens';
import type { InferenceServiceModuleOptions } from '../module/inference-service.options';
import { startInferenceInfrastructure, type InferenceInfrastructure } from './inference-infrastructure';

/** Closes the connections after Nest has stopped the consumers. */
@Injectable()
class InfrastructureLifecycle implements OnApplicationShutdown {
  constructor(@Inject(IS_INFRASTRUCTURE) private readonly infra: InferenceInfrastructure) {}
  async onApplicationShutdown(): Promise<void> {
    await this.infra.close();
  }
}

/**
 * The service's options, connections, metrics and feature reader, available to every module of the
 * service. `options`: the provider of IS_OPTIONS (a value, or a factory with its `imports`).
 */
@Global()
@Module({})
export class InferenceInfrastructureModule {
  static register(options: Provider, imports: ModuleMetadata['imports'] = []): DynamicModule {
    return {
      module: InferenceInfrastructureModule,
      imports,
      providers: [
        options,
        { provide: IS_CONFIG, inject: [IS_OPTIONS], useFactory: (o: InferenceServiceModuleOptions) => o.config },
        // The registry MetricsModule serves at /metrics (given the same options)
        {
          provide: IS_METRICS,
          inject: [Registry],
          useFactory: (registry: Registry) => createInferenceServiceMetrics(registry),
        },
        {
          provide: IS_INFRASTRUCTURE,
          inject: [IS_OPTIONS, IS_METRICS],
          useFactory: (o: InferenceServiceModuleOptions, metrics: InferenceServiceMetrics) =>
            startInferenceInfrastructure(o.config, metrics, o.shared),
        },
        InfrastructureLifecycle,
      ],
      exports: [IS_OPTIONS, IS_CONFIG, IS_METRICS, IS_INFRASTRUCTURE],
    };
  }
}
