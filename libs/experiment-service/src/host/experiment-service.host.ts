import { servicePort } from '@pulse/contracts';
import { loadConfig, type HostedService } from '@pulse/nest-common';
import { createExperimentServiceApp } from '../app/create-app';
import { loadExperimentServiceConfig } from '../config/experiment-service.config';

/** experiment-service as the platform hosts it: on the process's shared connections, port 3004. */
export const EXPERIMENT_SERVICE: HostedService = {
  name: 'experiment-service',
  defaultPort: servicePort('experiment-service'),
  docsPath: '/docs',
  metricsPath: '/metrics',
  async create({ env, shared, logger }) {
    const config = loadConfig({ load: loadExperimentServiceConfig, env });
    return createExperimentServiceApp(config, {
      shared,
      shutdownHooks: false,
      ...(logger !== undefined ? { logger } : {}),
    });
  },
};
