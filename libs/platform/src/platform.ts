import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { startSimulatorFeed, type SimulatorFeed } from '@pulse/feature-service';
import {
  loadConfig,
  startSharedInfrastructure,
  type EmbeddedParts,
  type HostedService,
  type SharedInfrastructure,
  type SimulatorBackfill,
} from '@pulse/nest-common';
import { HOSTED_SERVICES } from './hosted-services';
import { loadPlatformConfig, type PlatformConfig } from './platform.config';

export interface PlatformOptions {
  /** Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default HOSTED_SERVICES. */
  readonly services?: readonly HostedService[];
  /** Interface to listen on; default 0.0.0.0. */
  readonly host?: string;
  /** false: no logging at all (tests); otherwise structured JSON lines at LOG_LEVEL. */
  readonly logger?: false;
}

export interface RunningService {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly docsUrl: string;
  readonly metricsUrl: string;
}

export interface RunningPlatform {
  readonly config: PlatformConfig;
  readonly services: readonly RunningService[];
  readonly embedded: EmbeddedParts;
  /** Whether the simulator feeds the engagement topic. */
  readonly simulating: boolean;
  /**
   * The admin API token made for this run when PULSE_API_TOKENS was not set (the services that check
   * tokens accept it as `admin`); undefined when the user set their own.
   */
  readonly generatedApiToken?: string;
  readonly startedInMs: number;
  /** Stops the simulator, then each service (last started first), then the shared connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Every hosted service in this process on one set of connections (embedded or real, per KAFKA_BROKERS,
 * DATABASE_URL and REDIS_URL), each on its own port, and the simulator feeding them when it is on.
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<RunningPlatform> {
  const started = Date.now();
  const given = options.env ?? process.env;
  const services = options.services ?? HOSTED_SERVICES;
  const config = loadConfig({ load: (reader) => loadPlatformConfig(reader, services), env: given });
  // Changes through the APIs need a token: without one of the user's, one is made for this run and shown.
  const generatedApiToken = given.PULSE_API_TOKENS ? undefined : randomBytes(24).toString('base64url');
  const env = generatedApiToken ? { ...given, PULSE_API_TOKENS: `admin:${generatedApiToken}` } : given;
  let backfilled: (done: SimulatorBackfill) => void = () => undefined;
  const simulatorBackfill = config.simulator.enabled
    ? new Promise<SimulatorBackfill>((resolve) => (backfilled = resolve))
    : undefined;
  const host = options.host ?? '0.0.0.0';
  const apps: INestApplication[] = [];
  let shared: SharedInfrastructure | undefined;
  let feed: SimulatorFeed | undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await feed?.stop();
      for (const app of [...apps].reverse()) await app.close().catch(() => undefined);
      await shared?.close();
    })());
  try {
    shared = await startSharedInfrastructure(config);
    const running: RunningService[] = [];
    for (const [i, service] of services.entries()) {
      const app = await service.create({
        env,
        shared,
        ...(simulatorBackfill ? { simulatorBackfill } : {}),
        ...(options.logger !== undefined ? { logger: options.logger } : {}),
      });
      apps.push(app);
      await app.listen(config.ports[i].port, host);
      running.push(describe(service, app, host));
    }
    if (config.simulator.enabled)
      feed = startSimulatorFeed(
        shared.bus.createPublisher(),
        config.eventsTopic,
        config.simulator,
        new Logger('Simulator'),
        { onBackfilled: backfilled },
      );
    return {
      config,
      services: running,
      embedded: shared.embedded,
      simulating: feed !== undefined,
      ...(generatedApiToken ? { generatedApiToken } : {}),
      startedInMs: Date.now() - started,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function describe(service: HostedService, app: INestApplication, host: string): RunningService {
  const { port } = app.getHttpServer().address() as AddressInfo;
  // An app listening on every interface is reached on this machine as localhost.
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const url = `http://${shown}:${port}`;
  return {
    name: service.name,
    port,
    url,
    docsUrl: `${url}${service.docsPath}`,
    metricsUrl: `${url}${service.metricsPath}`,
  };
}
