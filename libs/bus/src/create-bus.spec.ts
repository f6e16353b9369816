import { ConfigError } from '@pulse/core';
import { busConfigFromEnv, createBus } from './create-bus';
import { InMemoryBus } from './in-memory/in-memory-bus';
import { KafkaBus } from './kafka/kafka-bus';

describe('createBus', () => {
  it('is in-memory without brokers', async () => {
    const bus = createBus();
    expect(bus).toBeInstanceOf(InMemoryBus);
    expect(bus.kind).toBe('in-memory');
    await bus.close();
    expect(createBus({ brokers: [] })).toBeInstanceOf(InMemoryBus);
  });
  it('is Kafka with brokers (no connection until used)', async () => {
    const bus = createBus({ brokers: ['127.0.0.1:1'], kafka: { idempotent: false } });
    expect(bus).toBeInstanceOf(KafkaBus);
    expect(bus.kind).toBe('kafka');
    await bus.close();
  });
});

describe('busConfigFromEnv', () => {
  it('means the in-process bus when KAFKA_BROKERS is absent', () => expect(busConfigFromEnv({})).toEqual({}));
  it('reads brokers and Kafka settings', () => {
    expect(
      busConfigFromEnv({ KAFKA_BROKERS: 'a:9092, b:9092', KAFKA_IDEMPOTENT: 'false', KAFKA_GZIP: 'true' }),
    ).toEqual({
      brokers: ['a:9092', 'b:9092'],
      kafka: { clientId: 'pulse', idempotent: false, gzip: true, sessionTimeoutMs: 6000, security: {} },
    });
  });
  it('names a malformed variable', () => {
    expect(() => busConfigFromEnv({ KAFKA_BROKERS: 'a:1', KAFKA_IDEMPOTENT: 'maybe' })).toThrow(ConfigError);
    expect(() => busConfigFromEnv({ KAFKA_BROKERS: 'a:1', KAFKA_SESSION_TIMEOUT_MS: '10' })).toThrow(
      /KAFKA_SESSION_TIMEOUT_MS/,
    );
  });
});
