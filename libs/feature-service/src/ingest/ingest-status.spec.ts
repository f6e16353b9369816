import { IngestStatus } from './ingest-status';

describe('IngestStatus', () => {
  it('is down while any partition fails, whatever the others do, and forgets one not heard of for 30 s', async () => {
    let now = 0;
    const status = new IngestStatus(() => now);
    await expect(status.check()).resolves.toBeUndefined();
    status.failed('events:0', new Error('refused'));
    status.succeeded('events:1');
    await expect(status.check()).rejects.toThrow(/events:0 failing since 1970-01-01T00:00:00.000Z: refused/);
    now = 20_000;
    status.failed('events:0', new Error('still refused'));
    await expect(status.check()).rejects.toThrow(/events:0 failing since 1970-01-01T00:00:00.000Z: still refused/);
    now = 50_001;
    await expect(status.check()).resolves.toBeUndefined();
    status.failed('events:2', new Error('x'));
    status.succeeded('events:2');
    await expect(status.check()).resolves.toBeUndefined();
  });
});
