import { Logger } from '@nestjs/common';
import { ConfigError } from '@pulse/core';
import { loadConfig } from '@pulse/nest-common';
import { createTrainingServiceApp } from '../app/create-app';
import { loadTrainingServiceConfig } from '../config/training-service.config';

/**
 * training-service alone in this process (`node dist/apps/training-service/main.js`): its own
 * connections, real or embedded per KAFKA_BROKERS / DATABASE_URL. Exits 1 naming what is wrong when it
 * cannot start; Nest's shutdown hooks close it on SIGINT/SIGTERM.
 */
export async function runTrainingService(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const config = loadConfig({ load: loadTrainingServiceConfig, env });
    const app = await createTrainingServiceApp(config);
    await app.listen(config.infra.httpPort, '0.0.0.0');
    const url = `http://localhost:${config.infra.httpPort}`;
    new Logger('TrainingService').log(
      `listening on ${url} — try ${url}/v1/models, ${url}/v1/training-jobs, ${url}/metrics, ${url}/docs`,
    );
  } catch (err) {
    if (err instanceof ConfigError) console.error(`training-service: configuration error: ${err.message}`);
    else
      console.error(
        `training-service: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    process.exit(1);
  }
}
