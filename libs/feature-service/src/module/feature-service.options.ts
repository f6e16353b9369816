import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import type { FeatureRegistry } from '@pulse/features';
import type { SharedInfrastructure } from '@pulse/nest-common';
import type { Registry } from 'prom-client';
import type { FeatureServiceConfig } from '../config/feature-service.config';

export interface FeatureServiceModuleOptions {
  /** The configuration, read and validated once at startup (loadConfig + loadFeatureServiceConfig). */
  readonly config: FeatureServiceConfig;
  /** Metrics registry; default a new one (tests running several apps in one process pass their own). */
  readonly registry?: Registry;
  /**
   * The feature views to keep and serve; default the learning-engagement views with the configured
   * ALLOWED_LATENESS_MS (a registry passed here keeps its own lateness).
   */
  readonly featureRegistry?: FeatureRegistry;
  /**
   * Connections made by the host for every service of the process (the platform's); default: the
   * service makes its own from `config` and closes them with the app.
   */
  readonly shared?: SharedInfrastructure;
}

export interface FeatureServiceModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  readonly inject?: FactoryProvider['inject'];
  /** The options from injected providers (`inject`, in order). */
  readonly useFactory: (...args: never[]) => FeatureServiceModuleOptions | Promise<FeatureServiceModuleOptions>;
  /**
   * The topic consumed: a bus handler's topic is fixed when the module is defined, before the factory
   * runs; the factory's config.topics.events must name the same (ENGAGEMENT_TOPIC). Default the
   * platform's engagement topic.
   */
  readonly eventsTopic?: string;
}
