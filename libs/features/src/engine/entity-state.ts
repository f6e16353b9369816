/**
 * Per-entity aggregate state: plain data (numbers, strings, arrays, plain objects, one Map) that the
 * store's binary codec (store/state-codec.ts) writes compactly. It is a function of the SET of applied events
 * only (never of their arrival order), which is what lets the online path (incremental) and the
 * offline path (replay) agree exactly.
 */

/** An exact integer: a number while it is a safe integer, otherwise its decimal string. */
export type ExactInt = number | string;

/**
 * The fields of one accumulator's partial aggregate over one tile (or over the lifetime), stored flat
 * at the accumulator's offset in its group's array; all fields 0 = empty (see partials.ts).
 */
export type Partial = unknown[];

export interface ViewState {
  /** Fingerprint of the view definition (and layout) the partials were built with. */
  h: string;
  /** The lifetime partials, side by side (the view's lifetime accumulators at their offsets). */
  l: unknown[];
  /**
   * Tiles by tile size (e.g. `1d`), flat: `[tileIndex, …fields of each partial, tileIndex, …]`, one
   * entry of the group's size per tile, sorted by tile index (floor(eventTime / tileMs)); times inside
   * a tile are relative to the tile's start. A group without tiles has no key.
   */
  t: Record<string, unknown[]>;
}

export interface EntityState {
  /** State format version (2: flat partials). */
  v: 2;
  /** Watermark: the largest event time applied (epoch ms), null before any event. */
  w: number | null;
  /** Ids of applied events with time ≥ w − dedupRetention, with their times (for idempotence). */
  d: Map<string, number>;
  /** View states by view key (`name@version`). */
  s: Record<string, ViewState>;
}

export function emptyState(): EntityState {
  return { v: 2, w: null, d: new Map(), s: {} };
}

export function isEntityState(value: unknown): value is EntityState {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial0;
  return (
    s.v === 2 &&
    (s.w === null || typeof s.w === 'number') &&
    s.d instanceof Map &&
    typeof s.s === 'object' &&
    s.s !== null
  );
}
type Partial0 = { v?: unknown; w?: unknown; d?: unknown; s?: unknown };
