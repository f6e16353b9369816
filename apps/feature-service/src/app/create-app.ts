import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FeatureRegistry } from '@pulse/features';
import { BusServer } from '@pulse/nest-bus';
import { Registry } from 'prom-client';
import type { FeatureServiceConfig } from '../config/feature-service.config';
import type { Infrastructure } from '../infrastructure/infrastructure';
import type { FsMetrics } from './feature-service.metrics';
import { FeatureServiceModule } from './feature-service.module';
import { FS_METRICS, INFRASTRUCTURE } from './tokens';
import { ValidationErrorFilter } from './validation-error.filter';

// POST /v1/events takes up to MAX_EVENTS_PER_REQUEST events of a few hundred bytes each.
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface CreateAppOptions {
  readonly registry?: Registry;
  /** See FeatureServiceModuleOptions.featureRegistry. */
  readonly featureRegistry?: FeatureRegistry;
  /** Nest's logger setting; tests pass false. */
  readonly logger?: false | ('log' | 'error' | 'warn' | 'debug' | 'verbose')[];
}

/**
 * The feature service as a Nest application with the bus transport connected (not yet listening):
 * HTTP API, OpenAPI docs at /docs, and the engagement-events consumer.
 */
export async function createFeatureServiceApp(config: FeatureServiceConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  const registry = options.registry ?? new Registry();
  // Fastify rather than Express: fewer objects and less work per request (measured on the feature
  // reads: Express's routing and response objects were most of the garbage the GC promoted while
  // serving them). It computes no ETag (the answers change with every event anyway).
  const adapter = new FastifyAdapter({ bodyLimit: MAX_BODY_BYTES });
  const app = await NestFactory.create<NestFastifyApplication>(FeatureServiceModule.register({ config, registry, ...(options.featureRegistry ? { featureRegistry: options.featureRegistry } : {}) }), adapter, {
    logger: options.logger ?? ['log', 'warn', 'error'],
  });
  app.useGlobalFilters(new ValidationErrorFilter(app.getHttpAdapter()));
  app.enableShutdownHooks();

  const infra = app.get<Infrastructure>(INFRASTRUCTURE);
  const metrics = app.get<FsMetrics>(FS_METRICS);
  const server = new BusServer({
    bus: infra.bus,
    groupId: config.consumerGroup,
    fromBeginning: true,
    maxBatchSize: config.maxBatchSize,
    maxPendingBatches: config.maxPendingBatches,
    minBatchSize: config.minBatchSize,
    maxBatchWaitMs: config.maxBatchWaitMs,
    onBatch: (report) => metrics.consumerLag.set({ topic: report.topic, partition: String(report.partition) }, report.lag),
  });
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });

  const docs = new DocumentBuilder()
    .setTitle('Pulse feature service')
    .setDescription('Engagement events in; point-in-time feature values out.')
    .setVersion('1')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, docs));

  await app.startAllMicroservices();
  const e = infra.embedded;
  new Logger('FeatureService').log(
    `bus: ${e.bus ? 'in-process' : 'kafka'}, database: ${e.database ? 'embedded PGlite' : 'postgres'}, online store: ${e.onlineStore ? 'in-process' : 'redis'}; consuming ${config.topics.events} as group ${config.consumerGroup}`,
  );
  return app;
}

/** The bus transport of an app made by createFeatureServiceApp (tests use it to kill the consumer). */
export function busServerOf(app: INestApplication): BusServer | undefined {
  const micro = (app as unknown as { getMicroservices(): { serverInstance: unknown }[] }).getMicroservices();
  for (const m of micro) if (m.serverInstance instanceof BusServer) return m.serverInstance;
  return undefined;
}
