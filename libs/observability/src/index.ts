// prom-client registry helpers and structured logging
export * from './metrics/metric-factories';
export * from './metrics/service-metrics';
export * from './logging/logger';
