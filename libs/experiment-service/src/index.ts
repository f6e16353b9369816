// experiment-service as a library: its Nest module, app factory, hosting entry and the pieces tests reach
export * from './module/experiment-service.module';
export * from './module/experiment-service.options';
export * from './app/create-app';
export * from './app/tokens';
export * from './app/experiment-service.metrics';
export * from './config/experiment-service.config';
export * from './infrastructure/experiment-infrastructure';
export * from './assignments/assignment.service';
export * from './kafka/exposure-consumer';
export * from './results/results.types';
export * from './results/results-html';
export * from './host/experiment-service.host';
export * from './host/run-experiment-service';
