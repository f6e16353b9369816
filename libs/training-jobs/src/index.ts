// Training runs from events to registered, aliased versions: shared by the CLI and training-service
export * from './event-log.source';
export * from './run-training-job';
