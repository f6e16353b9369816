// Postgres storage: TypeORM entities, migrations, event log, embedded PGlite server
export * from './event-log/event-log.entity';
export * from './event-log/event-log.repository';
export { EVENT_COLUMNS, eventFromRow, type EventRow } from './event-log/event-row';
export * from './migrations/migrations';
export * from './data-source';
export * from './embedded/embedded-postgres';
export * from './dead-letter/dead-letter-outbox.repository';
export * from './dead-letter/dead-letter-relay';
export * from './dead-letter/dead-letter-outbox';
