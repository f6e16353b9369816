import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { MAX_ID_LENGTH } from '@pulse/contracts';
import type { FeatureRegistry } from '@pulse/features';
import { BusServer } from '@pulse/nest-bus';
import {
  describeInfrastructure,
  readJsonBodiesOnly,
  strictFastifyAdapter,
  useStructuredLogger,
  type SharedInfrastructure,
} from '@pulse/nest-common';
import { Registry } from 'prom-client';
import type { FeatureServiceConfig } from '../config/feature-service.config';
import type { Infrastructure } from '../infrastructure/infrastructure';
import { FeatureServiceModule } from '../module/feature-service.module';
import type { FsMetrics } from './feature-service.metrics';
import { FS_METRICS, INFRASTRUCTURE } from './tokens';
import { UnsupportedMediaTypeFilter, ValidationErrorFilter } from './validation-error.filter';

// POST /v1/events takes up to MAX_EVENTS_PER_REQUEST events of a few hundred bytes each.
const MAX_BODY_BYTES = 16 * 1024 * 1024;
// A path segment as long as the longest entity id percent-encoded (9 characters per UTF-16 unit at
// most), so that every id is the read's to refuse (400 naming entityId) rather than the router's.
const MAX_PARAM_LENGTH = MAX_ID_LENGTH * 9;

export interface CreateAppOptions {
  readonly registry?: Registry;
  /** See FeatureServiceModuleOptions.featureRegistry. */
  readonly featureRegistry?: FeatureRegistry;
  /** See FeatureServiceModuleOptions.shared. */
  readonly shared?: SharedInfrastructure;
  /**
   * Close the app on SIGINT/SIGTERM (default true). A host of several apps in one process says false
   * and closes them itself, in order, before the connections they share.
   */
  readonly shutdownHooks?: boolean;
  /** false: no logging at all (tests); otherwise structured JSON lines at LOG_LEVEL. */
  readonly logger?: false;
}

/** How often pulse_consumer_lag is read off the subscription besides after each commit. */
const LAG_REFRESH_MS = 1000;

/**
 * The feature service as a Nest application with the bus transport connected (not yet listening):
 * HTTP API, OpenAPI docs at /docs, and the engagement-events consumer.
 */
export async function createFeatureServiceApp(
  config: FeatureServiceConfig,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const registry = options.registry ?? new Registry();
  // Fastify rather than Express: fewer objects and less work per request (measured on the feature
  // reads: Express's routing and response objects were most of the garbage the GC promoted while
  // serving them). It computes no ETag (the answers change with every event anyway).
  const adapter = strictFastifyAdapter({ bodyLimit: MAX_BODY_BYTES, maxParamLength: MAX_PARAM_LENGTH });
  const app = await NestFactory.create<NestFastifyApplication>(
    FeatureServiceModule.register({
      config,
      registry,
      ...(options.featureRegistry ? { featureRegistry: options.featureRegistry } : {}),
      ...(options.shared ? { shared: options.shared } : {}),
    }),
    adapter,
    {
      // Records made while the app is built wait for the structured logger, then go out through it.
      ...(options.logger === false ? { logger: false } : { bufferLogs: true }),
      // the body parsers are set here (readJsonBodiesOnly), not Nest's (JSON and urlencoded)
      bodyParser: false,
    },
  );
  if (options.logger !== false) useStructuredLogger(app);
  readJsonBodiesOnly(app, MAX_BODY_BYTES);
  app.useGlobalFilters(
    new UnsupportedMediaTypeFilter(app.getHttpAdapter()),
    new ValidationErrorFilter(app.getHttpAdapter()),
  );
  if (options.shutdownHooks !== false) app.enableShutdownHooks();

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
    onBatch: (report) =>
      metrics.consumerLag.set({ topic: report.topic, partition: String(report.partition) }, report.lag),
  });
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });

  const docs = new DocumentBuilder()
    .setTitle('Pulse feature service')
    .setDescription('Engagement events in; point-in-time feature values out.')
    .setVersion('1')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, docs));

  await app.startAllMicroservices();
  // Also between commits, against the partitions' current ends: a partition whose batch keeps failing
  // commits nothing and stops being fetched once its queue is full, yet its lag must grow. Only the
  // partitions this copy consumes are reported (a revoked one's series goes).
  let refreshing = false;
  const refreshLag = async () => {
    const lags = server.current?.lag() ?? [];
    if (refreshing) return;
    refreshing = true;
    try {
      const ends = lags.length === 0 ? {} : await infra.bus.fetchEndOffsets(config.topics.events);
      metrics.consumerLag.reset();
      for (const l of lags) {
        const end = Number(ends[l.partition] ?? l.highWatermark);
        metrics.consumerLag.set(
          { topic: l.topic, partition: String(l.partition) },
          Math.max(l.lag, end - Number(l.committedOffset)),
        );
      }
    } catch {
      // The broker away: the last figures stay, and /health says why.
    } finally {
      refreshing = false;
    }
  };
  const lagTimer = setInterval(() => void refreshLag(), LAG_REFRESH_MS);
  lagTimer.unref();
  app.getHttpServer().once('close', () => clearInterval(lagTimer));
  new Logger('FeatureService').log(
    `${describeInfrastructure(infra.embedded)}; consuming ${config.topics.events} as group ${config.consumerGroup}`,
  );
  return app;
}

/** The bus transport of an app made by createFeatureServiceApp (tests use it to kill the consumer). */
export function busServerOf(app: INestApplication): BusServer | undefined {
  const micro = (app as unknown as { getMicroservices(): { serverInstance: unknown }[] }).getMicroservices();
  for (const m of micro) if (m.serverInstance instanceof BusServer) return m.serverInstance;
  return undefined;
}
