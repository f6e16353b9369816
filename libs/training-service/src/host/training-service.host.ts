import { servicePort } from '@pulse/contracts';
import { loadConfig, type HostedService } from '@pulse/nest-common';
import { createTrainingServiceApp } from '../app/create-app';
import { loadTrainingServiceConfig } from '../config/training-service.config';

/** training-service as the platform hosts it: on the process's shared connections, port 3002. */
export const TRAINING_SERVICE: HostedService = {
  name: 'training-service',
  defaultPort: servicePort('training-service'),
  docsPath: '/docs',
  metricsPath: '/metrics',
  async create({ env, shared, logger, simulatorBackfill }) {
    const config = loadConfig({ load: loadTrainingServiceConfig, env });
    return createTrainingServiceApp(config, {
      shared,
      shutdownHooks: false,
      ...(simulatorBackfill ? { simulatorBackfill } : {}),
      ...(logger !== undefined ? { logger } : {}),
    });
  },
};
