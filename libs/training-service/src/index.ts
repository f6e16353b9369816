// training-service as a library: its Nest module, app factory, hosting entry and the pieces tests reach
export * from './module/training-service.module';
export * from './module/training-service.options';
export * from './app/create-app';
export * from './app/tokens';
export * from './app/training-service.metrics';
export * from './config/training-service.config';
export * from './infrastructure/training-infrastructure';
export * from './jobs/execute-training-job';
export * from './jobs/job-scheduler';
export * from './jobs/worker-launcher';
export * from './jobs/worker-protocol';
export * from './jobs/training-requests';
export * from './kafka/training-request-intake';
export * from './http/models.controller';
export * from './embedded/bootstrap-trainer';
export * from './host/training-service.host';
export * from './host/run-training-service';
