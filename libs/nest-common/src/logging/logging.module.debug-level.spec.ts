import request from 'supertest';
import { appLogging } from './logging.fixture';

// Its own file: nestjs-pino keeps one root logger per process (per Jest test file).
describe('LoggingModule with successful requests at debug, LOG_LEVEL debug', () => {
  it('logs every request, successful ones at debug', async () => {
    const { app, records } = await appLogging({ successLevel: 'debug', level: 'debug' });
    try {
      await request(app.getHttpServer()).get('/ok').expect(200);
    } finally {
      await app.close();
    }
    expect(records().filter((r) => r.res !== undefined)).toEqual([
      expect.objectContaining({ level: 'debug', msg: 'request completed', res: { statusCode: 200 } }),
    ]);
  });
});
