import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { Topics } from '@pulse/contracts';
import { ConfigError } from '@pulse/core';
import { AdminGuard, API_TOKENS, HealthModule, LoggingModule, MetricsModule } from '@pulse/nest-common';
import { TS_CONFIG, TS_INFRASTRUCTURE, TS_OPTIONS } from '../app/tokens';
import { BootstrapTrainer } from '../embedded/bootstrap-trainer';
import { AliasesController } from '../http/aliases.controller';
import { ModelCatalog } from '../http/model-catalog';
import { ModelsController } from '../http/models.controller';
import { TrainingJobsController } from '../http/training-jobs.controller';
import type { TrainingServiceConfig } from '../config/training-service.config';
import type { TrainingInfrastructure } from '../infrastructure/training-infrastructure';
import { TrainingInfrastructureModule } from '../infrastructure/training-infrastructure.module';
import { TrainingRequests } from '../jobs/training-requests';
import { TrainingRuntime } from '../jobs/training-runtime';
import { TrainingRequestIntake } from '../kafka/training-request-intake';
import { trainingRequestsHandler } from '../kafka/training-requests.handler';
import type { TrainingServiceModuleAsyncOptions, TrainingServiceModuleOptions } from './training-service.options';

/**
 * training-service: training jobs (queued over HTTP or training.requests.v1, each trained in a worker
 * thread) and the model registry's HTTP API (versions, reports, artifacts, aliases and their history),
 * announcing what happens on models.lifecycle.v1. `register(options)`, or `registerAsync({ imports,
 * inject, useFactory })` for options made from other providers.
 */
@Module({})
export class TrainingServiceModule {
  static register(options: TrainingServiceModuleOptions): DynamicModule {
    return definition(
      { provide: TS_OPTIONS, useValue: options },
      [],
      options.config.topics.requests,
      options.logger !== false,
    );
  }

  static registerAsync(options: TrainingServiceModuleAsyncOptions): DynamicModule {
    const topic = options.requestsTopic ?? Topics.trainingRequests;
    const factory = options.useFactory as (...args: unknown[]) => ReturnType<typeof options.useFactory>;
    return definition(
      {
        provide: TS_OPTIONS,
        inject: options.inject ?? [],
        useFactory: async (...args: unknown[]) => {
          const resolved = await factory(...args);
          if (resolved.config.topics.requests !== topic)
            throw new ConfigError(
              'TRAINING_REQUESTS_TOPIC',
              `TRAINING_REQUESTS_TOPIC is ${JSON.stringify(resolved.config.topics.requests)} but the module was defined to consume ${JSON.stringify(topic)} (registerAsync's requestsTopic)`,
            );
          return resolved;
        },
      },
      options.imports ?? [],
      topic,
      true,
    );
  }
}

function definition(
  options: Provider,
  imports: ModuleMetadata['imports'],
  topic: string,
  requestLogs: boolean,
): DynamicModule {
  return {
    module: TrainingServiceModule,
    imports: [
      LoggingModule.forRoot({ name: 'training-service', requestLogs }),
      TrainingInfrastructureModule.register(options, imports),
      MetricsModule.registerAsync({
        inject: [TS_OPTIONS],
        useFactory: (o: TrainingServiceModuleOptions) => ({ registry: o.registry }),
      }),
      HealthModule.registerAsync({
        inject: [TS_INFRASTRUCTURE],
        useFactory: (infra: TrainingInfrastructure) => ({
          postgres: infra.dataSource,
          ...(infra.embedded.bus ? {} : { kafka: () => infra.bus.ping() }),
        }),
      }),
    ],
    controllers: [TrainingJobsController, ModelsController, AliasesController, trainingRequestsHandler(topic)],
    providers: [
      TrainingRuntime,
      TrainingRequests,
      TrainingRequestIntake,
      ModelCatalog,
      { provide: API_TOKENS, inject: [TS_CONFIG], useFactory: (c: TrainingServiceConfig) => c.apiTokens },
      AdminGuard,
      BootstrapTrainer,
    ],
  };
}
