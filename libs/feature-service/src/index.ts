// feature-service as a library: its Nest module, app factory, hosting entry and the pieces tests and benchmarks reach
export * from './module/feature-service.module';
export * from './module/feature-service.options';
export * from './app/create-app';
export * from './app/tokens';
export * from './app/feature-service.metrics';
export * from './config/feature-service.config';
export * from './infrastructure/infrastructure';
export * from './embedded/simulator-feed';
export * from './ingest/ingest.service';
export * from './ingest/ingest-status';
export * from './host/feature-service.host';
export * from './host/run-feature-service';
