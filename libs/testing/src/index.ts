// Test helpers: Kafka mock cluster (kcat), waitFor polling, random names, throwaway databases, the shared data folder
export * from './wait/wait-for';
export * from './names/random-name';
export * from './kafka/kafka-test-brokers';
export * from './postgres/test-database';
export * from './redis/test-redis';
export * from './kafka/kafka-mock-cluster';
export * from './shared/shared-dir';
