import { ConfigError, EnvReader } from '@pulse/core';
import type { HostedService } from '@pulse/nest-common';
import { loadPlatformConfig, portVariable } from './platform.config';

const service = (name: string, defaultPort: number): HostedService => ({
  name,
  defaultPort,
  docsPath: '/docs',
  metricsPath: '/metrics',
  create: () => Promise.reject(new Error('not started in this test')),
});
const services = [service('feature-service', 3001), service('training-service', 3002)];
const load = (env: Record<string, string>) => loadPlatformConfig(new EnvReader(env), services);

describe('loadPlatformConfig', () => {
  it('gives each service its default port, or the one its variable sets', () => {
    expect(load({}).ports).toEqual([
      { service: 'feature-service', variable: 'FEATURE_SERVICE_PORT', port: 3001 },
      { service: 'training-service', variable: 'TRAINING_SERVICE_PORT', port: 3002 },
    ]);
    expect(load({ TRAINING_SERVICE_PORT: '4002' }).ports[1].port).toBe(4002);
    expect(portVariable('inference-service')).toBe('INFERENCE_SERVICE_PORT');
  });

  it('refuses a malformed port and a port two services would share, naming the variable', () => {
    const refused = (env: Record<string, string>) => {
      try {
        load(env);
      } catch (e) {
        if (e instanceof ConfigError) return [e.variable, e.message];
        throw e;
      }
      throw new Error('accepted');
    };
    expect(refused({ FEATURE_SERVICE_PORT: 'x' })[0]).toBe('FEATURE_SERVICE_PORT');
    expect(refused({ TRAINING_SERVICE_PORT: '3001' })).toEqual([
      'TRAINING_SERVICE_PORT',
      expect.stringMatching(/3001, the port of feature-service/),
    ]);
    // Any free port (0) may be asked for by several.
    expect(load({ FEATURE_SERVICE_PORT: '0', TRAINING_SERVICE_PORT: '0' }).ports.map((p) => p.port)).toEqual([0, 0]);
  });

  it('embeds and simulates without KAFKA_BROKERS, and neither with it unless asked', () => {
    expect(load({}).simulator.enabled).toBe(true);
    expect(load({}).infra.kafkaBrokers).toBeUndefined();
    expect(load({ KAFKA_BROKERS: 'k:9092' }).simulator.enabled).toBe(false);
    expect(load({ KAFKA_BROKERS: 'k:9092', SIMULATOR: 'true' }).simulator.enabled).toBe(true);
  });
});
