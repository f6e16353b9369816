// Test helpers: Kafka mock cluster (kcat), waitFor polling, random names, throwaway databases, the shared data folder, a TCP proxy for fault injection, headless Chromium for page checks, built services as child processes, and the deploy/ checks (dashboards, alert rules, compose, Kubernetes) every service's deploy spec makes
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
export * from './deploy/prometheus-queries';
export * from './deploy/deploy-files';
export * from './deploy/deploy-checks';
