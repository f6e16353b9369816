import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { createLogger, type LoggerOptions } from '@pulse/observability';
import { Logger, LoggerModule } from 'nestjs-pino';

export interface LoggingModuleOptions extends LoggerOptions {
  /** The service's name: the `logger` field of every record. */
  readonly name: string;
  /** One `request completed` / `request errored` record per HTTP request. Default true. */
  readonly requestLogs?: boolean;
  /**
   * The level of a request that succeeded (default info). A service answering many small requests
   * says debug: unless LOG_LEVEL shows debug, its requests are then not logged at all (no per-request
   * middleware, which would cost allocations on every read); at debug, every request is.
   */
  readonly successLevel?: 'info' | 'debug';
  /** Paths (before any query) whose requests are not logged: probes and scrapes. Default /health, /health/live, /metrics. */
  readonly quietPaths?: readonly string[];
}

const DEFAULT_QUIET_PATHS = ['/health', '/health/live', '/metrics'];

/** The request's path: middleware mounted on a prefix (Fastify's middie) sees `url` without it, `originalUrl` whole. */
function pathOf(req: IncomingMessage & { originalUrl?: string }): string {
  return (req.originalUrl ?? req.url ?? '').split('?')[0];
}

/** 5xx and failed requests at error, 4xx at warn, the rest at `success`. */
function requestLevel(success: 'info' | 'debug') {
  return (_req: IncomingMessage, res: ServerResponse, err?: Error): 'error' | 'warn' | 'info' | 'debug' => {
    if (err !== undefined || res.statusCode >= 500) return 'error';
    return res.statusCode >= 400 ? 'warn' : success;
  };
}

/**
 * Structured logging for a Nest application (nestjs-pino over @pulse/observability's pino logger):
 * Nest's own records and every `new Logger(context)` go out as JSON lines with their `context`, and
 * each HTTP request as one record (method, url, status, response time) carrying a request id, which
 * the records logged while serving it carry too. Secrets are redacted as createLogger does.
 *
 * An application imports `LoggingModule.forRoot({ name })`, creates itself with `bufferLogs: true` and
 * calls `useStructuredLogger(app)` (i.e. `app.useLogger(app.get(Logger))`).
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingModuleOptions): DynamicModule {
    const {
      name,
      requestLogs = true,
      successLevel = 'info',
      quietPaths = DEFAULT_QUIET_PATHS,
      ...loggerOptions
    } = options;
    const quiet = new Set(quietPaths);
    const logger = createLogger(name, loggerOptions);
    const logRequests = requestLogs && logger.isLevelEnabled(successLevel);
    return {
      module: LoggingModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          // No routes: the request middleware is not installed at all.
          ...(logRequests ? {} : { forRoutes: [] }),
          pinoHttp: {
            logger,
            autoLogging: logRequests ? { ignore: (req) => quiet.has(pathOf(req)) } : false,
            customLogLevel: requestLevel(successLevel),
            serializers: {
              req: (req: { id: unknown; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url,
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}

/** Routes the application's (and Nest's) logging through the module's logger, and writes what was buffered. */
export function useStructuredLogger(app: INestApplication): void {
  app.useLogger(app.get(Logger));
  app.flushLogs();
}

export { Logger as StructuredLogger, PinoLogger, InjectPinoLogger } from 'nestjs-pino';
