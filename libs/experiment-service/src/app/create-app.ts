import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import {
  describeInfrastructure,
  readJsonBodiesOnly,
  strictFastifyAdapter,
  useStructuredLogger,
  type SharedInfrastructure,
} from '@pulse/nest-common';
import { Registry } from 'prom-client';
import type { ExperimentServiceConfig } from '../config/experiment-service.config';
import { ExperimentErrorFilter } from '../http/experiment-error.filter';
import type { ExperimentInfrastructure } from '../infrastructure/experiment-infrastructure';
import { ExperimentServiceModule } from '../module/experiment-service.module';
import { XS_INFRASTRUCTURE } from './tokens';

// Request bodies are experiment definitions: small JSON documents.
const MAX_BODY_BYTES = 1024 * 1024;

export interface CreateExperimentAppOptions {
  readonly registry?: Registry;
  readonly shared?: SharedInfrastructure;
  /** Close the app on SIGINT/SIGTERM (default true); a host of several apps says false and closes them itself. */
  readonly shutdownHooks?: boolean;
  readonly logger?: false;
}

/** experiment-service as a Nest application, consuming but not yet listening on HTTP; OpenAPI at /docs. */
export async function createExperimentServiceApp(
  config: ExperimentServiceConfig,
  options: CreateExperimentAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ExperimentServiceModule.register({
      config,
      registry: options.registry ?? new Registry(),
      ...(options.shared ? { shared: options.shared } : {}),
      ...(options.logger === false ? { logger: false as const } : {}),
    }),
    strictFastifyAdapter({ bodyLimit: MAX_BODY_BYTES, maxParamLength: 2048 }),
    // JSON bodies only, decoded strictly (readJsonBodiesOnly), not Nest's JSON and urlencoded parsers
    { ...(options.logger === false ? { logger: false } : { bufferLogs: true }), bodyParser: false },
  );
  readJsonBodiesOnly(app, MAX_BODY_BYTES);
  if (options.logger !== false) useStructuredLogger(app);
  app.useGlobalFilters(new ExperimentErrorFilter(app.getHttpAdapter()));
  if (options.shutdownHooks !== false) app.enableShutdownHooks();

  const docs = new DocumentBuilder()
    .setTitle('Pulse experiment service')
    .setDescription(
      'Experiments with GrowthBook-compatible assignment, exposures on Kafka, and results: lifts with intervals, z-test / Welch, CUPED, always-valid sequential tests, SRM and multiple-testing corrections.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, docs));

  await app.init();
  const infra = app.get<ExperimentInfrastructure>(XS_INFRASTRUCTURE);
  new Logger('ExperimentService').log(
    `${describeInfrastructure(infra.embedded)}; exposures from ${config.topics.exposures} as group ${config.consumerGroup}; changes to ${config.topics.changes}; ${config.apiTokens ? `${config.apiTokens.principals.length} API token(s)` : 'no API tokens: changes are open to anyone'}`,
  );
  return app;
}
