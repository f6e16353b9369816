import { Topics } from '@pulse/contracts';
import { ConfigError, type EnvReader } from '@pulse/core';
import { readSimulatorSettings, type SimulatorSettings } from '@pulse/feature-service';
import {
  readSharedInfrastructureSettings,
  type HostedService,
  type SharedInfrastructureSettings,
} from '@pulse/nest-common';

export interface HostedPort {
  readonly service: string;
  /** The variable that sets it, e.g. FEATURE_SERVICE_PORT. */
  readonly variable: string;
  /** 0: any free port (tests). */
  readonly port: number;
}

/** The connections every hosted service shares, the ports, and the one simulator feed of the process. */
export interface PlatformConfig extends SharedInfrastructureSettings {
  /** Per hosted service, in hosting order. */
  readonly ports: readonly HostedPort[];
  /** ENGAGEMENT_TOPIC: where the simulator publishes. */
  readonly eventsTopic: string;
  readonly simulator: SimulatorSettings;
}

/** `feature-service` -> FEATURE_SERVICE_PORT */
export function portVariable(service: string): string {
  return `${service.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_PORT`;
}

export function loadPlatformConfig(env: EnvReader, services: readonly HostedService[]): PlatformConfig {
  const shared = readSharedInfrastructureSettings(env, { httpPort: 0, clientId: 'pulse-platform' });
  const taken = new Map<number, string>();
  const ports = services.map((s) => {
    const variable = portVariable(s.name);
    const port = env.int(variable, s.defaultPort, 0, 65535);
    const other = taken.get(port);
    if (other !== undefined)
      throw new ConfigError(
        variable,
        `${variable} is ${port}, the port of ${other} as well; give each service its own`,
      );
    if (port !== 0) taken.set(port, s.name);
    return { service: s.name, variable, port };
  });
  return {
    ...shared,
    ports,
    eventsTopic: env.string('ENGAGEMENT_TOPIC', Topics.engagementEvents),
    simulator: readSimulatorSettings(env, shared.infra.kafkaBrokers === undefined),
  };
}
