/**
 * Per-entity aggregate state: JSON-serialisable and compact (short keys, positional partials).
 * It is a function of the SET of applied events only (never of their arrival order), which is what
 * lets the online path (incremental) and the offline path (replay) agree exactly.
 */

/** An exact integer: a number while it is a safe integer, otherwise its decimal string. */
export type ExactInt = number | string;

/** A partial aggregate of one accumulator over one tile (or over the lifetime); 0 = empty. */
export type Partial = 0 | unknown[];

/** `[tileIndex, ...the fields of each partial, flat]`. */
export type TileEntry = unknown[];

export interface ViewState {
  /** Fingerprint of the view definition the partials were built with. */
  h: string;
  /** Lifetime partials, positional (one per lifetime accumulator of the view). */
  l: Partial[];
  /**
   * Tiles by tile size (e.g. `1d`): entries `[tileIndex, …fields of each partial, side by side]` sorted
   * by tile index (floor(eventTime / tileMs)); times inside a tile are relative to the tile's start.
   */
  t: Record<string, TileEntry[]>;
}

export interface EntityState {
  /** State format version. */
  v: 1;
  /** Watermark: the largest event time applied (epoch ms), null before any event. */
  w: number | null;
  /** Ids of applied events with time ≥ w − allowedLateness, with their times (for idempotence). */
  d: Record<string, number>;
  /** View states by view key (`name@version`). */
  s: Record<string, ViewState>;
}

export function emptyState(): EntityState {
  return { v: 1, w: null, d: {}, s: {} };
}

export function isEntityState(value: unknown): value is EntityState {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial0;
  return s.v === 1 && (s.w === null || typeof s.w === 'number') && typeof s.d === 'object' && typeof s.s === 'object';
}
type Partial0 = { v?: unknown; w?: unknown; d?: unknown; s?: unknown };
