import { kafkaTestBrokers, kafkaTestBusOptions } from './kafka-test-brokers';

describe('kafkaTestBrokers', () => {
  const saved = process.env.PULSE_TEST_KAFKA_BROKERS;
  afterEach(() => {
    process.env.PULSE_TEST_KAFKA_BROKERS = saved;
  });

  it('reads the global setup cluster as host:port list', () => {
    expect(kafkaTestBrokers().length).toBeGreaterThan(0);
    expect(kafkaTestBrokers().every((b) => /^[\w.-]+:\d+$/.test(b))).toBe(true);
  });
  it('splits and trims a comma-separated value', () => {
    process.env.PULSE_TEST_KAFKA_BROKERS = 'a:1, b:2,';
    expect(kafkaTestBrokers()).toEqual(['a:1', 'b:2']);
  });
  it('fails clearly when the variable is absent', () => {
    delete process.env.PULSE_TEST_KAFKA_BROKERS;
    expect(() => kafkaTestBrokers()).toThrow(/PULSE_TEST_KAFKA_BROKERS is not set/);
  });
  it('turns idempotence off for the mock cluster', () => {
    process.env.PULSE_TEST_KAFKA_BROKERS = 'a:1';
    expect(kafkaTestBusOptions()).toMatchObject({ brokers: ['a:1'], idempotent: false, sessionTimeoutMs: 3000 });
  });
});
