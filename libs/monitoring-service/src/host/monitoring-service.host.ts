import { servicePort } from '@pulse/contracts';
import { loadConfig, type HostedService } from '@pulse/nest-common';
import { createMonitoringServiceApp } from '../app/create-app';
import { loadMonitoringServiceConfig } from '../config/monitoring-service.config';

/** monitoring-service as the platform hosts it: on the process's shared connections, port 3005. */
export const MONITORING_SERVICE: HostedService = {
  name: 'monitoring-service',
  defaultPort: servicePort('monitoring-service'),
  docsPath: '/docs',
  metricsPath: '/metrics',
  async create({ env, shared, logger }) {
    const config = loadConfig({ load: loadMonitoringServiceConfig, env });
    return createMonitoringServiceApp(config, {
      shared,
      shutdownHooks: false,
      ...(logger !== undefined ? { logger } : {}),
    });
  },
};
