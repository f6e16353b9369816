import { Logger } from '@nestjs/common';
import { ConfigError } from '@pulse/core';
import { loadConfig } from '@pulse/nest-common';
import { createMonitoringServiceApp } from '../app/create-app';
import { loadMonitoringServiceConfig } from '../config/monitoring-service.config';

/**
 * monitoring-service alone in this process (`node dist/apps/monitoring-service/main.js`): its own
 * connections, real or embedded per KAFKA_BROKERS / DATABASE_URL / REDIS_URL. Exits 1 naming what is
 * wrong when it cannot start; Nest's shutdown hooks close it on SIGINT/SIGTERM.
 */
export async function runMonitoringService(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const config = loadConfig({ load: loadMonitoringServiceConfig, env });
    const app = await createMonitoringServiceApp(config);
    await app.listen(config.infra.httpPort, '0.0.0.0');
    const url = `http://localhost:${config.infra.httpPort}`;
    new Logger('MonitoringService').log(
      `listening on ${url} — try ${url}/v1/monitoring/lesson_completion, ${url}/v1/alerts, ${url}/metrics, ${url}/docs`,
    );
  } catch (err) {
    if (err instanceof ConfigError) console.error(`monitoring-service: configuration error: ${err.message}`);
    else
      console.error(
        `monitoring-service: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    process.exit(1);
  }
}
