import request from 'supertest';
import { appLogging } from './logging.fixture';

// Its own file: nestjs-pino keeps one root logger per process (per Jest test file).
describe('LoggingModule without request records', () => {
  it('leaves request records out and keeps the application records', async () => {
    const { app, records } = await appLogging({ requestLogs: false });
    try {
      await request(app.getHttpServer()).get('/ok').expect(200);
    } finally {
      await app.close();
    }
    expect(records().filter((r) => r.res !== undefined)).toEqual([]);
    expect(records().find((r) => r.msg === 'serving')).toBeDefined();
  });
});
