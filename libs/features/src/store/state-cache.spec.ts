import { emptyState } from '../engine/entity-state';
import { StateCache } from './state-cache';

describe('StateCache', () => {
  it('hands an entry out once (take removes it) and forgets it when full or too old', () => {
    let now = 0;
    const cache = new StateCache({ maxEntries: 2, maxAgeMs: 1000, now: () => now });
    const [a, b, c] = [emptyState(), emptyState(), emptyState()];
    cache.put('a', a, 1);
    cache.put('b', b, 4);
    expect(cache.take('a')).toEqual({ state: a, version: 1 });
    expect(cache.take('a')).toBeUndefined();
    cache.put('a', a, 2);
    cache.put('c', c, 1); // the least recently written (b) goes
    expect([cache.size, cache.take('b'), cache.take('c')?.version]).toEqual([2, undefined, 1]);
    now = 1001;
    expect(cache.take('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
  it('keeps nothing with maxEntries 0 and rejects bad options', () => {
    const cache = new StateCache({ maxEntries: 0 });
    cache.put('a', emptyState(), 1);
    expect(cache.size).toBe(0);
    expect(() => new StateCache({ maxEntries: -1 })).toThrow(RangeError);
    expect(() => new StateCache({ maxAgeMs: NaN })).toThrow(/maxAgeMs/);
  });
});
