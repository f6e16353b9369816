import { TILE_SIZES, type Duration, type TileSize, type WindowSpec } from './feature-view.types';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const UNIT_MS: Record<string, number> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

/** Milliseconds of a duration like `15m`, `1h`, `7d`; undefined when it is not one. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^([1-9][0-9]{0,5})([mhd])$/.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : undefined;
}

export interface ParsedWindow {
  readonly lifetime: boolean;
  readonly lengthMs: number;
  readonly offsetMs: number;
}

export function parseWindow(spec: WindowSpec | undefined): ParsedWindow | string {
  if (spec === undefined || spec === 'lifetime') return { lifetime: true, lengthMs: 0, offsetMs: 0 };
  if (typeof spec === 'string') {
    const ms = parseDuration(spec);
    return ms === undefined
      ? `window "${spec}" is not lifetime or a duration like 7d`
      : { lifetime: false, lengthMs: ms, offsetMs: 0 };
  }
  if (typeof spec !== 'object' || spec === null) return `window must be lifetime, a duration or { last, offset }`;
  const length = parseDuration(spec.last);
  if (length === undefined) return `window.last "${String(spec.last)}" is not a duration like 14d`;
  const offset = spec.offset === undefined ? 0 : parseDuration(spec.offset);
  if (offset === undefined) return `window.offset "${String(spec.offset)}" is not a duration like 14d`;
  return { lifetime: false, lengthMs: length, offsetMs: offset };
}

/**
 * Default tile: the coarsest tile that divides the window and its offset into at least 4 tiles (so a
 * window's boundary is at most a quarter window off), e.g. 1d -> 6h, 7d/30d -> 1d, 2h -> 15m;
 * undefined when no tile divides them.
 */
export function defaultTile(lengthMs: number, offsetMs = 0): TileSize | undefined {
  const sizes = [...TILE_SIZES].reverse();
  for (const t of sizes) {
    const ms = tileMs(t);
    if (ms * 4 <= lengthMs + offsetMs && lengthMs % ms === 0 && offsetMs % ms === 0) return t;
  }
  for (const t of sizes) {
    const ms = tileMs(t);
    if (lengthMs % ms === 0 && offsetMs % ms === 0) return t;
  }
  return undefined;
}

export function tileMs(tile: TileSize): number {
  return parseDuration(tile as Duration) as number;
}
