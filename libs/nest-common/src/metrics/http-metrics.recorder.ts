import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Registry } from 'prom-client';
import { createHttpMetrics, type HttpMetrics } from '@pulse/observability';
import { METRICS_MODULE_OPTIONS, type MetricsModuleOptions } from './metrics.options';

// What the recorder touches of each HTTP adapter. Fastify: the route pattern in routeOptions.url, an
// onResponse hook (after the last byte) with the time since the request arrived. Express: its request
// and response are Node's own, extended (route pattern in baseUrl + route.path, set while routing).
interface FastifyLike {
  addHook(
    name: 'onResponse',
    hook: (
      request: { method: string; routeOptions?: { url?: string } },
      reply: { statusCode: number; elapsedTime: number },
      done: () => void,
    ) => void,
  ): unknown;
}

interface NodeServerLike {
  prependListener(event: 'request', listener: (req: ExpressRequestLike, res: NodeResponseLike) => void): unknown;
}

interface ExpressRequestLike {
  readonly method?: string;
  readonly baseUrl?: string;
  readonly route?: { readonly path?: string };
}

interface NodeResponseLike {
  readonly statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * Times each HTTP request handled by a route, from its arrival until the response is written (so
 * serialisation and exception filters count, and the status is the one sent), by method, route
 * pattern (`/v1/features/:entityId`, keeping label cardinality bounded) and status. Requests no route
 * matched are not timed.
 *
 * A hook on the HTTP adapter rather than a Nest interceptor: any global interceptor puts every request
 * of the app through an RxJS pipeline (a few dozen objects per request that a hot read path can do
 * without; they were most of what the feature service's GC promoted while serving reads).
 */
@Injectable()
export class HttpMetricsRecorder implements OnModuleInit {
  private readonly metrics: HttpMetrics;
  private readonly enabled: boolean;

  constructor(
    registry: Registry,
    private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(METRICS_MODULE_OPTIONS) options?: MetricsModuleOptions,
  ) {
    this.metrics = createHttpMetrics(registry);
    this.enabled = options?.httpMetrics !== false;
  }

  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (!this.enabled || !adapter) return;
    const observe = (method: string, route: string, status: number, seconds: number) =>
      this.metrics.requestDuration.observe({ method, route, status: String(status) }, seconds);
    const type = adapter.getType();
    if (type === 'fastify') {
      (adapter.getInstance() as FastifyLike).addHook('onResponse', (request, reply, done) => {
        const route = request.routeOptions?.url;
        if (route !== undefined) observe(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
        done();
      });
    } else if (type === 'express') {
      // Ahead of Express's own listener, on the same request object it routes.
      (adapter.getHttpServer() as NodeServerLike).prependListener('request', (req, res) => {
        const start = process.hrtime.bigint();
        let recorded = false;
        const record = (): void => {
          if (recorded || req.route?.path === undefined) return;
          recorded = true;
          observe(
            req.method ?? 'GET',
            `${req.baseUrl ?? ''}${req.route.path}`,
            res.statusCode,
            Number(process.hrtime.bigint() - start) / 1e9,
          );
        };
        res.once('finish', record);
        // A client that hangs up early never gets 'finish'.
        res.once('close', record);
      });
    } else {
      throw new Error(
        `MetricsModule cannot time HTTP requests on the "${type}" adapter; register it with httpMetrics: false`,
      );
    }
  }
}
