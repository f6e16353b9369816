import type { SharedInfrastructure } from '@pulse/nest-common';
import type { Registry } from 'prom-client';
import type { InferenceServiceConfig } from '../config/inference-service.config';

export interface InferenceServiceModuleOptions {
  /** The configuration, read and validated once at startup (loadConfig + loadInferenceServiceConfig). */
  readonly config: InferenceServiceConfig;
  /** Metrics registry; default a new one (tests running several apps in one process pass their own). */
  readonly registry?: Registry;
  /** Connections made by the host for every service of the process; default: the service's own. */
  readonly shared?: SharedInfrastructure;
  /** false: not even the per-request records (tests); default LOG_LEVEL's. */
  readonly logger?: false;
}
