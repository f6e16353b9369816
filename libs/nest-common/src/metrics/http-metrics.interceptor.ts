import { Inject, Injectable, Optional, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Registry } from 'prom-client';
import type { Observable } from 'rxjs';
import { createHttpMetrics, type HttpMetrics } from '@pulse/observability';
import { METRICS_MODULE_OPTIONS, type MetricsModuleOptions } from './metrics.options';

interface RequestLike {
  readonly method: string;
  readonly baseUrl?: string;
  readonly route?: { readonly path?: string };
}

interface ResponseLike {
  readonly statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * Times each HTTP request from the moment Nest hands it to the controller until the response is
 * written (so serialisation and exception filters count, and the status is the one sent). The
 * route label is the route pattern (`/v1/features/:entityId`), keeping label cardinality bounded.
 */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  private readonly metrics: HttpMetrics;
  private readonly enabled: boolean;

  constructor(registry: Registry, @Optional() @Inject(METRICS_MODULE_OPTIONS) options?: MetricsModuleOptions) {
    this.metrics = createHttpMetrics(registry);
    this.enabled = options?.httpMetrics !== false;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.enabled || context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<RequestLike>();
    const res = http.getResponse<ResponseLike>();
    const start = process.hrtime.bigint();
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      const route = `${req.baseUrl ?? ''}${req.route?.path ?? ''}` || 'unmatched';
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      this.metrics.requestDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
    };
    res.once('finish', record);
    // A client that hangs up early never gets 'finish'.
    res.once('close', record);
    return next.handle();
  }
}
