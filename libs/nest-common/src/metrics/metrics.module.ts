import { Controller, Get, Header, Module } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry, contentType as PROMETHEUS_CONTENT_TYPE } from 'prom-client';
import { ensureDefaultMetrics } from '@pulse/observability';
import { HttpMetricsRecorder } from './http-metrics.recorder';
import { METRICS_MODULE_OPTIONS, MetricsModuleBase, type MetricsModuleOptions } from './metrics.options';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get()
  @Header('Content-Type', PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format' })
  async metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * GET /metrics in Prometheus text format, from the prom-client Registry provided under the
 * `Registry` class token (inject it anywhere to add metrics). Global by default.
 */
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: Registry,
      useFactory: (options: MetricsModuleOptions) => {
        const registry = options.registry ?? new Registry();
        if (options.defaultMetrics !== false) ensureDefaultMetrics(registry);
        return registry;
      },
      inject: [METRICS_MODULE_OPTIONS],
    },
    HttpMetricsRecorder,
  ],
  exports: [Registry],
})
export class MetricsModule extends MetricsModuleBase {}
