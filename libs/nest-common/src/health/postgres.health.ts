import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { probeHealth, type ProbeOptions } from './health-probe';

/** What the check needs of a TypeORM DataSource (any object with these members will do). */
export interface SqlQueryable {
  readonly isInitialized: boolean;
  query(sql: string): Promise<unknown>;
}

/** Postgres is up when `SELECT 1` goes through the application's own connection pool. */
@Injectable()
export class PostgresHealthIndicator {
  constructor(private readonly indicators: HealthIndicatorService) {}

  pingCheck(key: string, dataSource: SqlQueryable, options?: ProbeOptions): Promise<HealthIndicatorResult> {
    return probeHealth(
      this.indicators,
      key,
      async () => {
        if (!dataSource.isInitialized) throw new Error('not connected');
        await dataSource.query('SELECT 1');
      },
      options,
    );
  }
}
