import { ConfigError, EnvReader } from '@pulse/core';
import { loadTrainingServiceConfig } from './training-service.config';

const load = (env: Record<string, string>) => loadTrainingServiceConfig(new EnvReader(env));

function refused(env: Record<string, string>): string {
  try {
    load(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.variable;
    throw e;
  }
  throw new Error('accepted');
}

describe('loadTrainingServiceConfig', () => {
  it('defaults to port 3002, the platform topics, one job at a time, a minute of staleness and open changes', () => {
    const config = load({});
    expect(config.infra.httpPort).toBe(3002);
    expect(config.topics).toEqual({
      requests: 'training.requests.v1',
      dlq: 'training.requests.dlq.v1',
      lifecycle: 'models.lifecycle.v1',
    });
    expect(config).toMatchObject({
      consumerGroup: 'training-service',
      concurrency: 1,
      jobStaleMs: 60_000,
      maxAttempts: 2,
    });
    expect(config.apiTokens).toBeNull();
    expect(config.kafka.clientId).toBe('training-service');
  });

  it('reads its settings, and Kafka TLS/SASL through the shared reader', () => {
    const config = load({
      PORT: '8082',
      KAFKA_BROKERS: 'k:9092',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'pw',
      DATABASE_URL: 'postgres://db/pulse',
      PULSE_API_TOKENS: 'ana:long-enough-token',
      TRAINING_CONCURRENCY: '2',
      TRAINING_JOB_STALE_MS: '5000',
    });
    expect(config.infra).toMatchObject({
      httpPort: 8082,
      databaseUrl: 'postgres://db/pulse',
      kafkaBrokers: ['k:9092'],
    });
    expect(config.infra.kafkaSecurity).toEqual({ sasl: { mechanism: 'plain', username: 'svc', password: 'pw' } });
    expect(config.apiTokens!.principals).toEqual([{ name: 'ana', role: 'admin' }]);
    expect(config).toMatchObject({ concurrency: 2, jobStaleMs: 5000 });
  });

  it('refuses a bad value, naming the variable', () => {
    expect(refused({ TRAINING_CONCURRENCY: '0' })).toBe('TRAINING_CONCURRENCY');
    expect(refused({ TRAINING_JOB_STALE_MS: 'soon' })).toBe('TRAINING_JOB_STALE_MS');
    expect(refused({ PULSE_API_TOKENS: 'ana' })).toBe('PULSE_API_TOKENS');
    expect(refused({ PORT: '-1' })).toBe('PORT');
    expect(refused({ KAFKA_BROKERS: ',' })).toBe('KAFKA_BROKERS');
  });
});
