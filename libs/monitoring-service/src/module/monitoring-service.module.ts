import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule, LoggingModule, MetricsModule } from '@pulse/nest-common';
import { MS_INFRASTRUCTURE, MS_OPTIONS } from '../app/tokens';
import { AlertRelay } from '../evaluation/alert-relay';
import { LabelMaturer } from '../evaluation/label-maturer';
import { ReferenceCache } from '../evaluation/reference-cache';
import { WindowEvaluator } from '../evaluation/window-evaluator';
import { MonitoringController } from '../http/monitoring.controller';
import type { MonitoringInfrastructure } from '../infrastructure/monitoring-infrastructure';
import { MonitoringInfrastructureModule } from '../infrastructure/monitoring-infrastructure.module';
import { OutcomeConsumer } from '../kafka/outcome-consumer';
import { PredictionConsumer } from '../kafka/prediction-consumer';
import type { MonitoringServiceModuleOptions } from './monitoring-service.options';

/**
 * monitoring-service: predictions and outcome events consumed into Postgres (each effect once),
 * labels matured with the model spec's label function, windows evaluated for drift and quality,
 * alerts with hysteresis and cooldown on monitoring.alerts.v1, retraining requests on
 * training.requests.v1.
 */
@Module({})
export class MonitoringServiceModule {
  static register(options: MonitoringServiceModuleOptions): DynamicModule {
    return {
      module: MonitoringServiceModule,
      imports: [
        LoggingModule.forRoot({ name: 'monitoring-service', requestLogs: options.logger !== false }),
        MonitoringInfrastructureModule.register({ provide: MS_OPTIONS, useValue: options }),
        MetricsModule.registerAsync({
          inject: [MS_OPTIONS],
          useFactory: (o: MonitoringServiceModuleOptions) => ({ registry: o.registry }),
        }),
        HealthModule.registerAsync({
          inject: [MS_INFRASTRUCTURE],
          useFactory: (infra: MonitoringInfrastructure) => ({
            postgres: infra.dataSource,
            ...(infra.embedded.bus ? {} : { kafka: () => infra.bus.ping() }),
          }),
        }),
      ],
      controllers: [MonitoringController],
      providers: [ReferenceCache, AlertRelay, WindowEvaluator, LabelMaturer, PredictionConsumer, OutcomeConsumer],
    };
  }
}
