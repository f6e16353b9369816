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
import type { MonitoringServiceConfig } from '../config/monitoring-service.config';
import { MonitoringErrorFilter } from '../http/monitoring-error.filter';
import type { MonitoringInfrastructure } from '../infrastructure/monitoring-infrastructure';
import { MonitoringServiceModule } from '../module/monitoring-service.module';
import { MS_INFRASTRUCTURE } from './tokens';

// The API only reads; no request carries a body worth more than this.
const MAX_BODY_BYTES = 1024 * 1024;

export interface CreateMonitoringAppOptions {
  readonly registry?: Registry;
  readonly shared?: SharedInfrastructure;
  /** Close the app on SIGINT/SIGTERM (default true); a host of several apps says false and closes them itself. */
  readonly shutdownHooks?: boolean;
  readonly logger?: false;
}

/** monitoring-service as a Nest application, consuming but not yet listening on HTTP; OpenAPI at /docs. */
export async function createMonitoringServiceApp(
  config: MonitoringServiceConfig,
  options: CreateMonitoringAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    MonitoringServiceModule.register({
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
  app.useGlobalFilters(new MonitoringErrorFilter(app.getHttpAdapter()));
  if (options.shutdownHooks !== false) app.enableShutdownHooks();

  const docs = new DocumentBuilder()
    .setTitle('Pulse monitoring service')
    .setDescription(
      'Drift of features and scores against each model version’s training reference, live quality from matured labels and its label-free estimate, fairness over time, and the alerts that request retraining.',
    )
    .setVersion('1')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, docs));

  await app.init();
  const infra = app.get<MonitoringInfrastructure>(MS_INFRASTRUCTURE);
  new Logger('MonitoringService').log(
    `${describeInfrastructure(infra.embedded)}; watching ${config.models.join(', ')} (predictions from ${config.topics.predictionsPrefix}<model>.v1, outcomes from ${config.topics.events}); windows ${config.windowsMs.map((w) => `${w / 60_000} min`).join(', ')}; alerts to ${config.topics.alerts}${config.retrain ? `, retraining requests to ${config.topics.trainingRequests}` : ''}`,
  );
  return app;
}
