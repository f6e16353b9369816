import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { Registry } from 'prom-client';
import { createMonitoringServiceMetrics } from '../app/monitoring-service.metrics';
import { MS_CONFIG, MS_INFRASTRUCTURE, MS_METRICS, MS_OPTIONS } from '../app/tokens';
import type { MonitoringServiceModuleOptions } from '../module/monitoring-service.options';
import { startMonitoringInfrastructure, type MonitoringInfrastructure } from './monitoring-infrastructure';

/** Closes the connections after Nest has stopped the consumers. */
@Injectable()
class InfrastructureLifecycle implements OnApplicationShutdown {
  constructor(@Inject(MS_INFRASTRUCTURE) private readonly infra: MonitoringInfrastructure) {}
  async onApplicationShutdown(): Promise<void> {
    await this.infra.close();
  }
}

/** The service's options, connections and metrics, available to every module of the service. */
@Global()
@Module({})
export class MonitoringInfrastructureModule {
  static register(options: Provider): DynamicModule {
    return {
      module: MonitoringInfrastructureModule,
      providers: [
        options,
        { provide: MS_CONFIG, inject: [MS_OPTIONS], useFactory: (o: MonitoringServiceModuleOptions) => o.config },
        // The registry MetricsModule serves at /metrics (given the same options)
        { provide: MS_METRICS, inject: [Registry], useFactory: (r: Registry) => createMonitoringServiceMetrics(r) },
        {
          provide: MS_INFRASTRUCTURE,
          inject: [MS_OPTIONS],
          useFactory: (o: MonitoringServiceModuleOptions) => startMonitoringInfrastructure(o.config, o.shared),
        },
        InfrastructureLifecycle,
      ],
      exports: [MS_OPTIONS, MS_CONFIG, MS_METRICS, MS_INFRASTRUCTURE],
    };
  }
}
