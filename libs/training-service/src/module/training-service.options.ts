import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import type { SharedInfrastructure, SimulatorBackfill } from '@pulse/nest-common';
import type { Registry } from 'prom-client';
import type { TrainingServiceConfig } from '../config/training-service.config';

export interface TrainingServiceModuleOptions {
  /** The configuration, read and validated once at startup (loadConfig + loadTrainingServiceConfig). */
  readonly config: TrainingServiceConfig;
  /** Metrics registry; default a new one (tests running several apps in one process pass their own). */
  readonly registry?: Registry;
  /** Connections made by the host for every service of the process; default: the service's own. */
  readonly shared?: SharedInfrastructure;
  /**
   * The host's simulator backfill (embedded platform): once it is in the event log, the default models
   * without a champion are trained. Absent: nothing is trained unasked.
   */
  readonly simulatorBackfill?: Promise<SimulatorBackfill>;
  /** false: not even the per-request records (tests); default LOG_LEVEL's. */
  readonly logger?: false;
}

export interface TrainingServiceModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  readonly inject?: FactoryProvider['inject'];
  /** The options from injected providers (`inject`, in order). */
  readonly useFactory: (...args: never[]) => TrainingServiceModuleOptions | Promise<TrainingServiceModuleOptions>;
  /**
   * The topic consumed: a bus handler's topic is fixed when the module is defined, before the factory
   * runs; the factory's config.topics.requests must name the same (TRAINING_REQUESTS_TOPIC). Default
   * the platform's training-requests topic.
   */
  readonly requestsTopic?: string;
}
