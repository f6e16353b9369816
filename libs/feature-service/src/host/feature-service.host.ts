import { servicePort } from '@pulse/contracts';
import { loadConfig, type HostedService } from '@pulse/nest-common';
import { createFeatureServiceApp } from '../app/create-app';
import { loadFeatureServiceConfig } from '../config/feature-service.config';

/** feature-service as the platform hosts it: on the process's shared connections, port 3001. */
export const FEATURE_SERVICE: HostedService = {
  name: 'feature-service',
  defaultPort: servicePort('feature-service'),
  docsPath: '/docs',
  metricsPath: '/metrics',
  async create({ env, shared, logger }) {
    const config = loadConfig({ load: loadFeatureServiceConfig, env });
    // The host runs the process's one simulator feed; a second one here would publish every event twice.
    const hosted = { ...config, simulator: { ...config.simulator, enabled: false } };
    return createFeatureServiceApp(hosted, {
      shared,
      shutdownHooks: false,
      ...(logger !== undefined ? { logger } : {}),
    });
  },
};
