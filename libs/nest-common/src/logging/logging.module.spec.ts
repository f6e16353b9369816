import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { appLogging } from './logging.fixture';

// nestjs-pino keeps one root logger per process (per Jest test file): every test here shares one application.
describe('LoggingModule (nestjs-pino) as the Nest application logger', () => {
  let app: NestFastifyApplication;
  let records: () => Record<string, unknown>[];
  beforeAll(async () => {
    ({ app, records } = await appLogging());
    await request(app.getHttpServer()).get('/boom').set('authorization', 'Bearer s3cret').expect(500);
    await request(app.getHttpServer()).get('/ok?x=1').expect(200);
    await request(app.getHttpServer()).get('/health').expect(200);
  });
  afterAll(() => app.close());

  it('writes Nest framework and application records as JSON lines with their context, secrets redacted', () => {
    const all = records();
    expect(all).toContainEqual(
      expect.objectContaining({ level: 'info', context: 'RoutesResolver', logger: 'nest-spec' }),
    );
    const warn = all.find((r) => r.msg === 'about to fail');
    expect(warn).toMatchObject({ level: 'warn', attempt: 1, token: '[redacted]', context: 'BoomController' });
    const failure = all.find((r) => r.context === 'ExceptionsHandler');
    expect(failure).toMatchObject({ level: 'error' });
    expect(JSON.stringify(failure)).toContain('kaput');
    expect(JSON.stringify(all)).not.toContain('s3cret');
  });

  it('logs each request once with method, url, status and time (not the quiet paths); records made while serving it carry its id', () => {
    const requests = records().filter((r) => r.res !== undefined);
    expect(requests).toEqual([
      expect.objectContaining({
        level: 'error',
        req: expect.objectContaining({ url: '/boom' }),
        res: { statusCode: 500 },
      }),
      expect.objectContaining({
        level: 'info',
        msg: 'request completed',
        req: expect.objectContaining({ method: 'GET', url: '/ok?x=1' }),
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
    ]);
    const serving = records().find((r) => r.msg === 'serving');
    expect(serving).toMatchObject({ context: 'BoomController', req: { id: (requests[1].req as { id: unknown }).id } });
  });
});
