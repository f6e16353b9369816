import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { Registry } from 'prom-client';

export interface MetricsModuleOptions {
  /** The registry to expose; pass one when code outside Nest (a consumer loop) records into it. Default: a new one. */
  readonly registry?: Registry;
  /** Add prom-client's process metrics (CPU, memory, event loop, GC). Default true. */
  readonly defaultMetrics?: boolean;
  /** Time every HTTP request into pulse_http_request_duration_seconds. Default true. */
  readonly httpMetrics?: boolean;
}

/** Token of the resolved module options (the HTTP metrics recorder reads `httpMetrics`). */
export const { ConfigurableModuleClass: MetricsModuleBase, MODULE_OPTIONS_TOKEN: METRICS_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<MetricsModuleOptions>()
    .setClassMethodName('register')
    .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
    .build();
