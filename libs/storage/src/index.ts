// Postgres storage: TypeORM entities, migrations, event log, embedded PGlite server, dead-letter outbox, model registry, experiments
export * from './event-log/event-log.entity';
export * from './event-log/event-log.repository';
export { EVENT_COLUMNS, eventFromRow, type EventRow } from './event-log/event-row';
export * from './migrations/migrations';
export * from './data-source';
export * from './embedded/embedded-postgres';
export * from './dead-letter/dead-letter-outbox.repository';
export * from './dead-letter/dead-letter-relay';
export * from './dead-letter/dead-letter-outbox';
export * from './model-registry/model-registry.repository';
export * from './model-registry/model-registry.types';
export * from './model-registry/model-registry.errors';
export * from './model-registry/training-job.repository';
export * from './model-registry/training-job.types';
export { ALIAS_NAME, MODEL_NAME } from './model-registry/model-registry.guards';
export * from './experiments/experiment.repository';
export * from './experiments/experiment.types';
export * from './experiments/experiment.errors';
