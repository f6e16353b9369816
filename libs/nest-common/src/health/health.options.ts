import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { BusProbe } from './kafka.health';
import type { SqlQueryable } from './postgres.health';
import type { Pingable } from './redis.health';

/** The dependencies GET /health checks; leave out what the running mode does not use (e.g. Redis when embedded). */
export interface HealthModuleOptions {
  /** Reported as `postgres`: SELECT 1 through this DataSource. */
  readonly postgres?: SqlQueryable;
  /** Reported as `redis`: PING through this client. */
  readonly redis?: Pingable;
  /** Reported as `kafka`: resolves when the bus is reachable. */
  readonly kafka?: BusProbe;
  /** Further named checks, each up when its promise resolves in time. */
  readonly checks?: Readonly<Record<string, () => Promise<unknown>>>;
  /** Deadline of each check in ms. Default 1000. */
  readonly timeoutMs?: number;
}

export const { ConfigurableModuleClass: HealthModuleBase, MODULE_OPTIONS_TOKEN: HEALTH_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<HealthModuleOptions>().setClassMethodName('register').build();
