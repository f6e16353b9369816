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
  it('peek hands out an entry at exactly the version asked, young enough, and leaves it in place', () => {
    let now = 0;
    const cache = new StateCache({ maxEntries: 4, maxAgeMs: 1000, now: () => now });
    const a = emptyState();
    cache.put('a', a, 3);
    expect([
      cache.peek('a', 3),
      cache.peek('a', 3),
      cache.peek('a', 2),
      cache.peek('a', 4),
      cache.peek('b', 1),
    ]).toEqual([a, a, undefined, undefined, undefined]);
    expect(cache.take('a')?.state).toBe(a);
    cache.put('a', a, 3);
    now = 1001;
    expect(cache.peek('a', 3)).toBeUndefined();
  });
  it("offer keeps a reader's state unless a young entry as new or newer is there", () => {
    let now = 0;
    const cache = new StateCache({ maxEntries: 4, maxAgeMs: 1000, now: () => now });
    const [mine, older, newer] = [emptyState(), emptyState(), emptyState()];
    cache.put('a', mine, 5);
    cache.offer('a', older, 4);
    cache.offer('a', older, 5);
    expect(cache.peek('a', 5)).toBe(mine);
    cache.offer('a', newer, 6);
    expect([cache.peek('a', 5), cache.peek('a', 6)]).toEqual([undefined, newer]);
    now = 1001; // too old to be trusted: replaced even by an older version
    cache.offer('a', older, 4);
    expect(cache.peek('a', 4)).toBe(older);
    cache.offer('b', older, 1);
    expect(cache.take('b')?.version).toBe(1);
  });
  it('keeps nothing with maxEntries 0 and rejects bad options', () => {
    const cache = new StateCache({ maxEntries: 0 });
    cache.put('a', emptyState(), 1);
    expect(cache.size).toBe(0);
    expect(() => new StateCache({ maxEntries: -1 })).toThrow(RangeError);
    expect(() => new StateCache({ maxAgeMs: NaN })).toThrow(/maxAgeMs/);
  });
});
