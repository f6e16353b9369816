import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule, LoggingModule, MetricsModule } from '@pulse/nest-common';
import { IS_INFRASTRUCTURE, IS_OPTIONS } from '../app/tokens';
import { OpenInferenceController } from '../http/open-inference.controller';
import { PredictController } from '../http/predict.controller';
import type { InferenceInfrastructure } from '../infrastructure/inference-infrastructure';
import { InferenceInfrastructureModule } from '../infrastructure/inference-infrastructure.module';
import { TriggerConsumer } from '../kafka/trigger-consumer';
import { ExperimentRoutes } from '../serving/experiment-routes.service';
import { ModelServer } from '../serving/model-server.service';
import { Predictor } from '../serving/predictor.service';
import type { InferenceServiceModuleOptions } from './inference-service.options';

/**
 * inference-service: the registry's champion, challenger and shadow versions loaded into onnxruntime
 * and swapped in place on alias moves; a prediction for every trigger event on predictions.<model>.v1;
 * predictions over HTTP (single, batch) and the Open Inference Protocol. `register(options)`.
 */
@Module({})
export class InferenceServiceModule {
  static register(options: InferenceServiceModuleOptions): DynamicModule {
    return {
      module: InferenceServiceModule,
      imports: [
        LoggingModule.forRoot({ name: 'inference-service', requestLogs: options.logger !== false }),
        InferenceInfrastructureModule.register({ provide: IS_OPTIONS, useValue: options }),
        MetricsModule.registerAsync({
          inject: [IS_OPTIONS],
          useFactory: (o: InferenceServiceModuleOptions) => ({ registry: o.registry }),
        }),
        HealthModule.registerAsync({
          inject: [IS_INFRASTRUCTURE],
          useFactory: (infra: InferenceInfrastructure) => ({
            postgres: infra.dataSource,
            ...(infra.redis ? { redis: infra.redis } : {}),
            ...(infra.embedded.bus ? {} : { kafka: () => infra.bus.ping() }),
          }),
        }),
      ],
      controllers: [PredictController, OpenInferenceController],
      providers: [ModelServer, ExperimentRoutes, Predictor, TriggerConsumer],
    };
  }
}
