import { Logger } from '@nestjs/common';
import { ConfigError } from '@pulse/core';
import { loadConfig } from '@pulse/nest-common';
import { createFeatureServiceApp } from '../app/create-app';
import { loadFeatureServiceConfig } from '../config/feature-service.config';

/**
 * feature-service alone in this process (`node dist/apps/feature-service/main.js`): its own connections,
 * real or embedded per KAFKA_BROKERS / DATABASE_URL / REDIS_URL. Exits 1 naming what is wrong when it
 * cannot start; Nest's shutdown hooks close it on SIGINT/SIGTERM.
 */
export async function runFeatureService(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const config = loadConfig({ load: loadFeatureServiceConfig, env });
    const app = await createFeatureServiceApp(config);
    await app.listen(config.infra.httpPort, '0.0.0.0');
    const url = `http://localhost:${config.infra.httpPort}`;
    new Logger('FeatureService').log(
      `listening on ${url} — try ${url}/v1/feature-views, ${url}/v1/features/learner-000001, ${url}/metrics, ${url}/docs`,
    );
  } catch (err) {
    // A setting the infrastructure cannot serve (e.g. KAFKA_IDEMPOTENT against a broker without idempotence) is found at start.
    if (err instanceof ConfigError) console.error(`feature-service: configuration error: ${err.message}`);
    else
      console.error(
        `feature-service: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    process.exit(1);
  }
}
