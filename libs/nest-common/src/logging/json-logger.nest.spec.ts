import { Controller, Get, Logger, Module, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { createLogger } from '@pulse/observability';

@Controller('boom')
class BoomController {
  private readonly logger = new Logger(BoomController.name);

  @Get()
  boom(): never {
    this.logger.warn('about to fail', { attempt: 1 });
    throw new Error('kaput');
  }
}

@Module({ controllers: [BoomController] })
class AppModule {}

describe('JsonLogger as the Nest application logger', () => {
  it('receives Nest framework and application records as JSON lines, with their context', async () => {
    const lines: string[] = [];
    const logger: LoggerService = createLogger('nest-spec', { level: 'info', sink: (l) => lines.push(l) });
    const app = await NestFactory.create(AppModule, { logger, abortOnError: false });
    try {
      await app.init();
      await request(app.getHttpServer()).get('/boom').expect(500);
    } finally {
      await app.close();
    }
    const records = lines.map((l) => JSON.parse(l));
    expect(records).toContainEqual(
      expect.objectContaining({ level: 'info', context: 'RoutesResolver', logger: 'nest-spec' }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'about to fail', attempt: 1, context: 'BoomController' }),
    );
    const failure = records.find((r) => r.level === 'error');
    expect(failure).toMatchObject({ context: 'ExceptionsHandler', msg: 'kaput' });
    expect(JSON.stringify(failure)).toContain('BoomController.boom');
  });
});
