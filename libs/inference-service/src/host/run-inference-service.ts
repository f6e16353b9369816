import { Logger } from '@nestjs/common';
import { ConfigError } from '@pulse/core';
import { loadConfig } from '@pulse/nest-common';
import { createInferenceServiceApp } from '../app/create-app';
import { loadInferenceServiceConfig } from '../config/inference-service.config';

/**
 * inference-service alone in this process (`node dist/apps/inference-service/main.js`): its own
 * connections, real or embedded per KAFKA_BROKERS / DATABASE_URL / REDIS_URL. Exits 1 naming what is
 * wrong when it cannot start; Nest's shutdown hooks close it on SIGINT/SIGTERM.
 */
export async function runInferenceService(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const config = loadConfig({ load: loadInferenceServiceConfig, env });
    const app = await createInferenceServiceApp(config);
    await app.listen(config.infra.httpPort, '0.0.0.0');
    const url = `http://localhost:${config.infra.httpPort}`;
    new Logger('InferenceService').log(
      `listening on ${url} — try ${url}/v1/models, ${url}/v2/health/ready, ${url}/metrics, ${url}/docs`,
    );
  } catch (err) {
    if (err instanceof ConfigError) console.error(`inference-service: configuration error: ${err.message}`);
    else
      console.error(
        `inference-service: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    process.exit(1);
  }
}
