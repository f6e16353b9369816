import request from 'supertest';
import { appLogging } from './logging.fixture';

// Its own file: nestjs-pino keeps one root logger per process (per Jest test file).
describe('LoggingModule with successful requests at debug', () => {
  it('installs no request logging below debug: no request records, no request id on what is logged', async () => {
    const { app, records } = await appLogging({ successLevel: 'debug', level: 'info' });
    try {
      await request(app.getHttpServer()).get('/ok').expect(200);
      await request(app.getHttpServer()).get('/boom').expect(500);
    } finally {
      await app.close();
    }
    expect(records().filter((r) => r.res !== undefined)).toEqual([]);
    const serving = records().find((r) => r.msg === 'serving');
    expect(serving).toBeDefined();
    expect(serving?.req).toBeUndefined();
    // The failure is still logged, by Nest's exception handler.
    expect(records().some((r) => r.context === 'ExceptionsHandler' && r.level === 'error')).toBe(true);
  });
});
