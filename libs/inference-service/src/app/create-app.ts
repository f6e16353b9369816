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
import { MAX_ID_LENGTH } from '@pulse/contracts';
import { Registry } from 'prom-client';
import type { InferenceServiceConfig } from '../config/inference-service.config';
import { InferenceErrorFilter } from '../http/inference-error.filter';
import type { InferenceInfrastructure } from '../infrastructure/inference-infrastructure';
import { InferenceServiceModule } from '../module/inference-service.module';
import { IS_INFRASTRUCTURE } from './tokens';

// A batch of 10,000 rows with context is a few MB of JSON; a V2 tensor of 10,000 × 100 floats ~ 10 MB.
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface CreateInferenceAppOptions {
  readonly registry?: Registry;
  /** See InferenceServiceModuleOptions.shared. */
  readonly shared?: SharedInfrastructure;
  /** Close the app on SIGINT/SIGTERM (default true); a host of several apps says false and closes them itself. */
  readonly shutdownHooks?: boolean;
  /** false: no logging at all (tests); otherwise structured JSON lines at LOG_LEVEL. */
  readonly logger?: false;
}

/**
 * inference-service as a Nest application, consuming but not yet listening on HTTP: the served
 * models loaded from the registry, the trigger consumer, the prediction API and the Open Inference
 * Protocol, OpenAPI docs at /docs.
 */
export async function createInferenceServiceApp(
  config: InferenceServiceConfig,
  options: CreateInferenceAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    InferenceServiceModule.register({
      config,
      registry: options.registry ?? new Registry(),
      ...(options.shared ? { shared: options.shared } : {}),
      ...(options.logger === false ? { logger: false as const } : {}),
    }),
    // A model name or entity id as long as the longest id percent-encoded is the handlers' to judge.
    strictFastifyAdapter({ bodyLimit: MAX_BODY_BYTES, maxParamLength: MAX_ID_LENGTH * 9 }),
    // JSON bodies only, decoded strictly (readJsonBodiesOnly), not Nest's JSON and urlencoded parsers
    { ...(options.logger === false ? { logger: false } : { bufferLogs: true }), bodyParser: false },
  );
  readJsonBodiesOnly(app, MAX_BODY_BYTES);
  if (options.logger !== false) useStructuredLogger(app);
  app.useGlobalFilters(new InferenceErrorFilter(app.getHttpAdapter()));
  if (options.shutdownHooks !== false) app.enableShutdownHooks();

  const docs = new DocumentBuilder()
    .setTitle('Pulse inference service')
    .setDescription(
      'Predictions from the registry’s champion models: single and batch over HTTP with features read online, and the Open Inference Protocol (KServe V2) on raw tensors.',
    )
    .setVersion('1')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, docs));

  // Consumers and model loading start in onApplicationBootstrap.
  await app.init();
  const infra = app.get<InferenceInfrastructure>(IS_INFRASTRUCTURE);
  new Logger('InferenceService').log(
    `${describeInfrastructure(infra.embedded)}; serving ${config.models.join(', ')}; triggers from ${config.topics.events} as group ${config.consumerGroup}`,
  );
  return app;
}
