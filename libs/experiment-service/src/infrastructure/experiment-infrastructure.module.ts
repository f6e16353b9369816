import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { API_TOKENS } from '@pulse/nest-common';
import { Registry } from 'prom-client';
import { createExperimentServiceMetrics } from '../app/experiment-service.metrics';
import { XS_CONFIG, XS_INFRASTRUCTURE, XS_METRICS, XS_OPTIONS } from '../app/tokens';
import type { ExperimentServiceConfig } from '../config/experiment-service.config';
import type { ExperimentServiceModuleOptions } from '../module/experiment-service.options';
import { startExperimentInfrastructure, type ExperimentInfrastructure } from './experiment-infrastructure';

/** Closes the connections after Nest has stopped the consumers. */
@Injectable()
class InfrastructureLifecycle implements OnApplicationShutdown {
  constructor(@Inject(XS_INFRASTRUCTURE) private readonly infra: ExperimentInfrastructure) {}
  async onApplicationShutdown(): Promise<void> {
    await this.infra.close();
  }
}

/** The service's options, connections and metrics, available to every module of the service. */
@Global()
@Module({})
export class ExperimentInfrastructureModule {
  static register(options: Provider): DynamicModule {
    return {
      module: ExperimentInfrastructureModule,
      providers: [
        options,
        { provide: XS_CONFIG, inject: [XS_OPTIONS], useFactory: (o: ExperimentServiceModuleOptions) => o.config },
        { provide: API_TOKENS, inject: [XS_CONFIG], useFactory: (c: ExperimentServiceConfig) => c.apiTokens },
        // The registry MetricsModule serves at /metrics (given the same options)
        { provide: XS_METRICS, inject: [Registry], useFactory: (r: Registry) => createExperimentServiceMetrics(r) },
        {
          provide: XS_INFRASTRUCTURE,
          inject: [XS_OPTIONS],
          useFactory: (o: ExperimentServiceModuleOptions) => startExperimentInfrastructure(o.config, o.shared),
        },
        InfrastructureLifecycle,
      ],
      exports: [XS_OPTIONS, XS_CONFIG, XS_METRICS, XS_INFRASTRUCTURE, API_TOKENS],
    };
  }
}
