import { ConfigError, EnvReader } from '@pulse/core';
import { readInfrastructureConfig } from './infrastructure-config';

const read = (env: Record<string, string>) => readInfrastructureConfig(new EnvReader(env));

describe('readInfrastructureConfig', () => {
  it('means embedded everything on port 3001 when nothing is set', () => {
    expect(read({})).toEqual({
      httpPort: 3001,
      kafkaBrokers: undefined,
      kafkaSecurity: {},
      databaseUrl: undefined,
      redisUrl: undefined,
      dataDir: undefined,
    });
  });

  it('switches each dependency to the real one when its variable is set', () => {
    expect(
      read({
        PORT: '8080',
        KAFKA_BROKERS: 'k1:9092, k2:9092',
        DATABASE_URL: 'postgres://db/p',
        REDIS_URL: 'redis://r:6379',
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'svc',
        KAFKA_SASL_PASSWORD: 'pw',
      }),
    ).toEqual({
      httpPort: 8080,
      kafkaBrokers: ['k1:9092', 'k2:9092'],
      kafkaSecurity: { sasl: { mechanism: 'plain', username: 'svc', password: 'pw' } },
      databaseUrl: 'postgres://db/p',
      redisUrl: 'redis://r:6379',
      dataDir: undefined,
    });
  });

  it('rejects a broker list with no broker, naming KAFKA_BROKERS', () => {
    expect(() => read({ KAFKA_BROKERS: ' , ' })).toThrow(ConfigError);
    expect(() => read({ KAFKA_BROKERS: ' , ' })).toThrow('KAFKA_BROKERS must list at least one host:port');
  });

  it('rejects a port out of range, naming PORT', () => {
    expect(() => read({ PORT: '70000' })).toThrow('PORT must be an integer in [0, 65535], got "70000"');
  });
});
