import { LruMap } from './lru-map';

describe('LruMap', () => {
  it('drops the entry set longest ago once over capacity', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    expect([m.has('a'), m.get('b'), m.get('c'), m.size]).toEqual([false, 2, 3, 2]);
  });

  it('counts a set, not a get, as a use', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.set('a', 10); // a is now the most recent
    expect(m.get('b')).toBe(2); // a read does not save b
    m.set('c', 3);
    expect([m.get('a'), m.has('b'), m.get('c')]).toEqual([10, false, 3]);
  });

  it('keeps nothing at capacity 0, and refuses a capacity that is not a whole number', () => {
    const m = new LruMap<string, number>(0);
    m.set('a', 1);
    expect(m.size).toBe(0);
    expect(() => new LruMap(-1)).toThrow(RangeError);
    expect(() => new LruMap(1.5)).toThrow('capacity must be a non-negative integer, got 1.5');
  });

  it('deletes and clears', () => {
    const m = new LruMap<number, string>(3);
    m.set(1, 'x');
    m.set(2, 'y');
    expect(m.delete(1)).toBe(true);
    expect(m.delete(1)).toBe(false);
    m.clear();
    expect(m.size).toBe(0);
  });
});
