// Postgres storage: TypeORM entities, migrations, event log, embedded PGlite server
