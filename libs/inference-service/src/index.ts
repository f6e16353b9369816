// inference-service as a library: its Nest module, app factory, hosting entry and the pieces tests and benchmarks reach
export * from './module/inference-service.module';
export * from './module/inference-service.options';
export * from './app/create-app';
export * from './app/tokens';
export * from './app/inference-service.metrics';
export * from './config/inference-service.config';
export * from './infrastructure/inference-infrastructure';
export * from './serving/feature-snapshot';
export * from './serving/model-server.service';
export * from './serving/predictor.service';
export * from './kafka/trigger-consumer';
export * from './http/predict-request';
export * from './http/v2-protocol';
export * from './host/inference-service.host';
export * from './host/run-inference-service';
