import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { BusServer } from '@pulse/nest-bus';
import {
  describeInfrastructure,
  useStructuredLogger,
  type SharedInfrastructure,
  type SimulatorBackfill,
} from '@pulse/nest-common';
import { Registry } from 'prom-client';
import type { TrainingServiceConfig } from '../config/training-service.config';
import { TrainingServiceErrorFilter } from '../http/training-service-error.filter';
import type { TrainingInfrastructure } from '../infrastructure/training-infrastructure';
import { TrainingServiceModule } from '../module/training-service.module';
import { TS_INFRASTRUCTURE } from './tokens';

// Request bodies are small JSON documents (a training request, an alias move).
const MAX_BODY_BYTES = 1024 * 1024;

export interface CreateTrainingAppOptions {
  readonly registry?: Registry;
  /** See TrainingServiceModuleOptions.shared. */
  readonly shared?: SharedInfrastructure;
  /** See TrainingServiceModuleOptions.simulatorBackfill. */
  readonly simulatorBackfill?: Promise<SimulatorBackfill>;
  /** Close the app on SIGINT/SIGTERM (default true); a host of several apps says false and closes them itself. */
  readonly shutdownHooks?: boolean;
  /** false: no logging at all (tests); otherwise structured JSON lines at LOG_LEVEL. */
  readonly logger?: false;
}

/**
 * training-service as a Nest application with the bus transport connected (not yet listening): the
 * HTTP API with OpenAPI docs at /docs, the training-requests consumer, the job scheduler and the
 * lifecycle relay.
 */
export async function createTrainingServiceApp(
  config: TrainingServiceConfig,
  options: CreateTrainingAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    TrainingServiceModule.register({
      config,
      registry: options.registry ?? new Registry(),
      ...(options.shared ? { shared: options.shared } : {}),
      ...(options.simulatorBackfill ? { simulatorBackfill: options.simulatorBackfill } : {}),
      ...(options.logger === false ? { logger: false as const } : {}),
    }),
    new FastifyAdapter({ bodyLimit: MAX_BODY_BYTES }),
    options.logger === false ? { logger: false } : { bufferLogs: true },
  );
  if (options.logger !== false) useStructuredLogger(app);
  app.useGlobalFilters(new TrainingServiceErrorFilter(app.getHttpAdapter()));
  if (options.shutdownHooks !== false) app.enableShutdownHooks();

  const infra = app.get<TrainingInfrastructure>(TS_INFRASTRUCTURE);
  // Requests are few: small batches, each committed once its jobs (and dead letters) are written.
  const server = new BusServer({
    bus: infra.bus,
    groupId: config.consumerGroup,
    fromBeginning: true,
    maxBatchSize: 100,
  });
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });

  const docs = new DocumentBuilder()
    .setTitle('Pulse training service')
    .setDescription(
      'Training jobs and the model registry: versions with their metrics, gates, reports and artifacts; aliases and their history.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, docs));

  await app.startAllMicroservices();
  new Logger('TrainingService').log(
    `${describeInfrastructure(infra.embedded)}; consuming ${config.topics.requests} as group ${config.consumerGroup}; ` +
      `${config.concurrency} job(s) at a time in worker threads; ${config.apiTokens ? `${config.apiTokens.principals.length} API token(s)` : 'no API tokens: changes are open to anyone'}`,
  );
  return app;
}
