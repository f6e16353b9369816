// NestJS adapters shared by services: config module, metrics endpoint, health indicators
export * from './config/config.module';
export * from './config/infrastructure-config';
export * from './metrics/metrics.module';
export * from './metrics/http-metrics.recorder';
export * from './health/health-probe';
export * from './health/postgres.health';
export * from './health/redis.health';
export * from './health/kafka.health';
export * from './health/health.module';
export * from './metrics/metrics.options';
export * from './health/health.options';
export * from './infrastructure/shared-infrastructure.config';
export * from './infrastructure/shared-infrastructure';
export * from './hosting/hosted-service';
export * from './logging/logging.module';
export * from './auth/api-tokens';
export * from './auth/admin.guard';
