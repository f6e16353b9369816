import type { SharedInfrastructure } from '@pulse/nest-common';
import type { Registry } from 'prom-client';
import type { MonitoringServiceConfig } from '../config/monitoring-service.config';

export interface MonitoringServiceModuleOptions {
  /** The configuration, read and validated once at startup (loadConfig + loadMonitoringServiceConfig). */
  readonly config: MonitoringServiceConfig;
  /** Metrics registry; default a new one. */
  readonly registry?: Registry;
  /** Connections made by the host for every service of the process; default: the service's own. */
  readonly shared?: SharedInfrastructure;
  /** false: not even the per-request records (tests). */
  readonly logger?: false;
}
