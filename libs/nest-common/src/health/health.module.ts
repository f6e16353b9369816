import { Controller, Get, Inject, Module } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TerminusModule,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { probeHealth } from './health-probe';
import { HEALTH_MODULE_OPTIONS, HealthModuleBase, type HealthModuleOptions } from './health.options';
import { KafkaHealthIndicator } from './kafka.health';
import { PostgresHealthIndicator } from './postgres.health';
import { RedisHealthIndicator } from './redis.health';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly postgres: PostgresHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    @Inject(HEALTH_MODULE_OPTIONS) private readonly options: HealthModuleOptions,
  ) {}

  /** Readiness: 200 when every configured dependency answers, 503 naming the ones that do not. */
  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    const { postgres, redis, kafka, checks = {}, timeoutMs } = this.options;
    const probe = { timeoutMs };
    const list: HealthIndicatorFunction[] = [];
    if (postgres) list.push(() => this.postgres.pingCheck('postgres', postgres, probe));
    if (redis) list.push(() => this.redis.pingCheck('redis', redis, probe));
    if (kafka) list.push(() => this.kafka.pingCheck('kafka', kafka, probe));
    for (const [key, fn] of Object.entries(checks)) list.push(() => probeHealth(this.indicators, key, fn, probe));
    return this.health.check(list);
  }

  /** Liveness: the process serves HTTP; no dependency is consulted. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

/**
 * GET /health (Terminus) over the dependencies given in the options, e.g.
 * `HealthModule.registerAsync({ inject: [DataSource, REDIS], useFactory: (ds, redis) => ({ postgres: ds, redis }) })`.
 */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [PostgresHealthIndicator, RedisHealthIndicator, KafkaHealthIndicator],
  exports: [PostgresHealthIndicator, RedisHealthIndicator, KafkaHealthIndicator],
})
export class HealthModule extends HealthModuleBase {}
