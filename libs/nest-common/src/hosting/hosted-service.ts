import type { INestApplication } from '@nestjs/common';
import type { SharedInfrastructure } from '../infrastructure/shared-infrastructure';

/** The process's simulator has published its backfill: events up to `eventTimeMs` are on the bus. */
export interface SimulatorBackfill {
  readonly eventTimeMs: number;
  /** Distinct valid events published (duplicates and deliberately invalid ones left out). */
  readonly events: number;
}

export interface HostedServiceContext {
  /** Where the service reads its own settings (validated, a ConfigError naming the variable). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The connections every service of the process uses; the host closes them, not the service. */
  readonly shared: SharedInfrastructure;
  /** Nest's logger setting; tests pass false. */
  readonly logger?: false;
  /**
   * When the host runs the simulator: resolves once its backfill (the simulated days up to now) is
   * published. Services that act on a filled log (e.g. first trainings) wait for it; absent without one.
   */
  readonly simulatorBackfill?: Promise<SimulatorBackfill>;
}

/** A service as one process hosting several of them sees it. */
export interface HostedService {
  /** e.g. feature-service */
  readonly name: string;
  /** Its port when the platform hosts it, e.g. 3001. */
  readonly defaultPort: number;
  /** Where it serves its OpenAPI docs and its Prometheus metrics. */
  readonly docsPath: string;
  readonly metricsPath: string;
  /**
   * Its Nest application on the shared connections, consuming but not yet listening on HTTP. The host
   * closes it (before the shared connections) on a signal: the app installs no shutdown hooks of its own.
   */
  create(context: HostedServiceContext): Promise<INestApplication>;
}
