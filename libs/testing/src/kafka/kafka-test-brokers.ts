/**
 * Bootstrap servers of the Kafka-protocol mock cluster that Jest's global setup starts
 * (libs/testing/jest/global-setup.js sets PULSE_TEST_KAFKA_BROKERS).
 */
export function kafkaTestBrokers(): string[] {
  const raw = process.env.PULSE_TEST_KAFKA_BROKERS;
  if (!raw) {
    throw new Error(
      'PULSE_TEST_KAFKA_BROKERS is not set: run the tests through Jest (its global setup starts the kcat mock cluster) or set it to host:port[,host:port]',
    );
  }
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Options for a KafkaBus against the mock cluster: its idempotent producers cannot connect, and a
 * short session timeout makes its rebalances (which wait sessionTimeout - 1 s) quick.
 */
export function kafkaTestBusOptions(): {
  brokers: string[];
  idempotent: false;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxWaitTimeMs: number;
} {
  return {
    brokers: kafkaTestBrokers(),
    idempotent: false,
    sessionTimeoutMs: 3000,
    heartbeatIntervalMs: 500,
    maxWaitTimeMs: 200,
  };
}
