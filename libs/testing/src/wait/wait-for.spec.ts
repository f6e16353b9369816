import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first truthy value of a sync predicate', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? calls : 0), { intervalMs: 1 })).resolves.toBe(3);
  });
  it('awaits async predicates', async () => {
    let calls = 0;
    await expect(waitFor(async () => ++calls === 2 && 'ready', { intervalMs: 1 })).resolves.toBe('ready');
  });
  it('treats a throwing predicate as not yet', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        if (++calls < 3) throw new Error('not yet');
        return 'ok';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('ok');
  });
  it('times out naming the condition and quoting the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('boom');
        },
        { timeoutMs: 30, intervalMs: 5, message: 'the answer' },
      ),
    ).rejects.toThrow('waitFor: the answer not met within 30 ms (last error: boom)');
  });
  it('times out on a predicate that stays falsy', async () => {
    await expect(waitFor(() => false, { timeoutMs: 20, intervalMs: 5 })).rejects.toThrow(
      /condition not met within 20 ms$/,
    );
  });
});
