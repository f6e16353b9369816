// monitoring-service as a library: its Nest module, app factory, hosting entry and the pieces tests reach
export * from './module/monitoring-service.module';
export * from './module/monitoring-service.options';
export * from './app/create-app';
export * from './app/tokens';
export * from './app/monitoring-service.metrics';
export * from './config/monitoring-service.config';
export * from './infrastructure/monitoring-infrastructure';
export * from './evaluation/reference-cache';
export * from './evaluation/window-evaluator';
export * from './evaluation/label-maturer';
export * from './evaluation/alert-relay';
export * from './kafka/prediction-consumer';
export * from './kafka/outcome-consumer';
export * from './host/monitoring-service.host';
export * from './host/run-monitoring-service';
