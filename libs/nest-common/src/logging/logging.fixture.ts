/** A Fastify application with LoggingModule and a controller that logs, for the logging specs. */
import { Controller, Get, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LoggingModule, useStructuredLogger } from './logging.module';

@Controller()
class BoomController {
  private readonly logger = new Logger(BoomController.name);

  @Get('boom')
  boom(): never {
    this.logger.warn({ attempt: 1, token: 'tok-1' }, 'about to fail');
    throw new Error('kaput');
  }

  @Get('ok')
  ok(): { ok: true } {
    this.logger.log('serving');
    return { ok: true };
  }

  @Get('health')
  health(): string {
    return 'up';
  }
}

/** An application with LoggingModule whose records land in `records()`. */
export async function appLogging(
  options: { requestLogs?: boolean; successLevel?: 'info' | 'debug'; level?: 'info' | 'debug' } = {},
) {
  const lines: string[] = [];
  @Module({
    imports: [
      LoggingModule.forRoot({
        name: 'nest-spec',
        level: 'info',
        destination: { write: (l: string) => void lines.push(l) },
        ...options,
      }),
    ],
    controllers: [BoomController],
  })
  class AppModule {}
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
    bufferLogs: true,
    abortOnError: false,
  });
  useStructuredLogger(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
