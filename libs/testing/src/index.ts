// Test helpers: Kafka mock cluster (kcat), waitFor polling, random names, throwaway databases, the shared data folder, a TCP proxy for fault injection, headless Chromium for page checks, built services as child processes
export * from './wait/wait-for';
export * from './names/random-name';
export * from './kafka/kafka-test-brokers';
export * from './postgres/test-database';
export * from './redis/test-redis';
export * from './kafka/kafka-mock-cluster';
export * from './shared/shared-dir';
export * from './proxy/tcp-proxy';
export * from './browser/headless-chromium';
export * from './process/service-process';
