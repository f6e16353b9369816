/**
 * A Map that keeps at most `capacity` entries and, when full, drops the one set longest ago. Recency is
 * by `set` only: reads do not reorder (the caches using it count a write as the use that matters, and
 * a read path stays free of Map reinsertions). Built on a Map's insertion order: O(1), no extra nodes.
 */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();

  /** @param capacity entries kept; 0 keeps nothing. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new RangeError(`capacity must be a non-negative integer, got ${capacity}`);
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Stores the value as the most recently set, dropping the least recently set beyond the capacity. */
  set(key: K, value: V): void {
    if (this.capacity === 0) return;
    const map = this.map;
    map.delete(key);
    map.set(key, value);
    if (map.size > this.capacity) map.delete(map.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
