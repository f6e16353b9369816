import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError } from '@pulse/core';
import { loadConfig } from '@pulse/nest-common';
import { createFeatureServiceApp } from './app/create-app';
import { loadFeatureServiceConfig, type FeatureServiceConfig } from './config/feature-service.config';

function readConfig(): FeatureServiceConfig {
  try {
    return loadConfig({ load: loadFeatureServiceConfig });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`feature-service: configuration error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const app = await createFeatureServiceApp(config);
  await app.listen(config.infra.httpPort, '0.0.0.0');
  const url = `http://localhost:${config.infra.httpPort}`;
  new Logger('FeatureService').log(
    `listening on ${url} — try ${url}/v1/feature-views, ${url}/v1/features/learner-000001, ${url}/metrics, ${url}/docs`,
  );
}

main().catch((err: unknown) => {
  // A setting the infrastructure cannot serve (e.g. KAFKA_IDEMPOTENT against a broker without idempotence) is found at start.
  if (err instanceof ConfigError) {
    console.error(`feature-service: configuration error: ${err.message}`);
    process.exit(1);
  }
  console.error(`feature-service: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
