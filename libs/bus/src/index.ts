// Message bus: Kafka (kafkajs) and in-process implementations with the same semantics
export * from './bus.types';
export * from './bus-logger';
export * from './murmur2';
export { backoffDelay, defaultMaxBatchSize, defaultRetryPolicy } from './batch-runner';
export * from './in-memory/in-memory-bus';
export * from './kafka/kafka-bus';
export * from './kafka/kafka-security';
export * from './create-bus';
