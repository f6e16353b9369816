import { timeCall } from './time-call';

describe('timeCall', () => {
  it('passes the result through and reports the duration with ok = true', async () => {
    const seen: Array<[number, boolean]> = [];
    const value = await timeCall(
      () => new Promise<number>((resolve) => setTimeout(() => resolve(42), 20)),
      (s, ok) => seen.push([s, ok]),
    );
    expect(value).toBe(42);
    expect(seen).toHaveLength(1);
    expect(seen[0][0]).toBeGreaterThanOrEqual(0.015);
    expect(seen[0][1]).toBe(true);
  });

  it('rethrows and reports ok = false when fn throws, synchronously or not', async () => {
    const seen: boolean[] = [];
    await expect(
      timeCall(
        () => {
          throw new Error('sync');
        },
        (_s, ok) => seen.push(ok),
      ),
    ).rejects.toThrow('sync');
    await expect(
      timeCall(
        () => Promise.reject(new Error('async')),
        (_s, ok) => seen.push(ok),
      ),
    ).rejects.toThrow('async');
    expect(seen).toEqual([false, false]);
  });
});
