import { servicePort } from '@pulse/contracts';
import { loadConfig, type HostedService } from '@pulse/nest-common';
import { createInferenceServiceApp } from '../app/create-app';
import { loadInferenceServiceConfig } from '../config/inference-service.config';

/** inference-service as the platform hosts it: on the process's shared connections, port 3003. */
export const INFERENCE_SERVICE: HostedService = {
  name: 'inference-service',
  defaultPort: servicePort('inference-service'),
  docsPath: '/docs',
  metricsPath: '/metrics',
  async create({ env, shared, logger }) {
    const config = loadConfig({ load: loadInferenceServiceConfig, env });
    return createInferenceServiceApp(config, {
      shared,
      shutdownHooks: false,
      ...(logger !== undefined ? { logger } : {}),
    });
  },
};
