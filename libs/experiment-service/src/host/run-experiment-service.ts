import { Logger } from '@nestjs/common';
import { ConfigError } from '@pulse/core';
import { loadConfig } from '@pulse/nest-common';
import { createExperimentServiceApp } from '../app/create-app';
import { loadExperimentServiceConfig } from '../config/experiment-service.config';

/**
 * experiment-service alone in this process (`node dist/apps/experiment-service/main.js`): its own
 * connections, real or embedded per KAFKA_BROKERS / DATABASE_URL / REDIS_URL. Exits 1 naming what is
 * wrong when it cannot start; Nest's shutdown hooks close it on SIGINT/SIGTERM.
 */
export async function runExperimentService(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const config = loadConfig({ load: loadExperimentServiceConfig, env });
    const app = await createExperimentServiceApp(config);
    await app.listen(config.infra.httpPort, '0.0.0.0');
    const url = `http://localhost:${config.infra.httpPort}`;
    new Logger('ExperimentService').log(
      `listening on ${url} — try ${url}/v1/experiments, ${url}/v1/assignments/learner-1, ${url}/metrics, ${url}/docs`,
    );
  } catch (err) {
    if (err instanceof ConfigError) console.error(`experiment-service: configuration error: ${err.message}`);
    else
      console.error(
        `experiment-service: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    process.exit(1);
  }
}
