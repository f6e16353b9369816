import type { SharedInfrastructure } from '@pulse/nest-common';
import type { Registry } from 'prom-client';
import type { ExperimentServiceConfig } from '../config/experiment-service.config';

export interface ExperimentServiceModuleOptions {
  /** The configuration, read and validated once at startup (loadConfig + loadExperimentServiceConfig). */
  readonly config: ExperimentServiceConfig;
  /** Metrics registry; default a new one. */
  readonly registry?: Registry;
  /** Connections made by the host for every service of the process; default: the service's own. */
  readonly shared?: SharedInfrastructure;
  /** false: not even the per-request records (tests). */
  readonly logger?: false;
}
