/**
 * Compiles a validated view into accumulators: the state each feature needs. Features that read the
 * same thing the same way share an accumulator (e.g. `lessons_completed_7d` and `_30d` share one set
 * of daily count tiles); the window only matters when evaluating. A distinct count or mode of a time
 * field that is constant within a tile (dayIndex or dayOfWeek in tiles of ≤ 1 d, hourOfDay in tiles of
 * ≤ 1 h) keeps no bag: it is read off the tiles' counts (each tile is one day, or one hour), sharing
 * the count accumulator of the same events.
 *
 * Layout (see entity-state.ts): the partials of a group lie side by side in one flat array — the
 * lifetime partials in `l`, each tile as `[tileIndex, …partials]` in its group's array — at the
 * accumulator's `offset`, `width` fields each.
 */
import type { AttributeValue, EngagementEvent } from '@pulse/contracts';
import { parseWindow, defaultTile, tileMs } from '../definition/duration';
import {
  compileConditions,
  fieldGetter,
  fieldType,
  TIME_FIELDS,
  type FieldGetter,
  type Predicate,
} from '../definition/fields';
import type {
  Aggregation,
  FeatureDefinition,
  FeatureValueType,
  FeatureViewDefinition,
  TileSize,
} from '../definition/feature-view.types';

export type AccumulatorKind = 'count' | 'moments' | 'min' | 'max' | 'first' | 'last' | 'bag' | 'streak';

export const KIND_OF: Record<Exclude<Aggregation, 'ratio'>, AccumulatorKind> = {
  count: 'count',
  timeSinceLast: 'count',
  sum: 'moments',
  mean: 'moments',
  variance: 'moments',
  min: 'min',
  max: 'max',
  first: 'first',
  last: 'last',
  distinctCount: 'bag',
  mode: 'bag',
  currentStreak: 'streak',
};

export const DEFAULT_DECIMALS = 4;

export interface AccumulatorPlan {
  readonly kind: AccumulatorKind;
  /** null = lifetime (a single partial). */
  readonly tile: TileSize | null;
  readonly tileMs: number;
  readonly eventTypes: ReadonlySet<string> | null;
  readonly predicate: Predicate | null;
  /** Reads the aggregated value; undefined = the event does not contribute. */
  readonly read: (e: EngagementEvent) => AttributeValue | undefined;
  readonly hasField: boolean;
  /** moments: 10^decimals; values are aggregated as round(v * scale). */
  readonly scale: number;
  /** moments: keep the sum of squares (some user needs the variance). */
  order2: boolean;
  /** Tiles kept behind the watermark's tile (the longest window + offset of its users, in tiles). */
  spanTiles: number;
  /** Length of a tile entry of its group: 1 (the tile index) + the widths of the group's partials. */
  groupSize: number;
  /** Where this accumulator's partial starts in a tile entry (or in the lifetime array), and how many fields it has. */
  offset: number;
  width: number;
  readonly signature: string;
}

export interface FeaturePlan {
  readonly name: string;
  readonly aggregation: Aggregation;
  readonly valueType: FeatureValueType;
  readonly acc: AccumulatorPlan | null;
  /** Windowed: the window covers tiles [k - fromTiles, k - toTiles] where k is the as-of time's tile. */
  readonly fromTiles: number;
  readonly toTiles: number;
  readonly numerator?: string;
  readonly denominator?: string;
  /** ratio: positions of the numerator and denominator in the view's features. */
  numeratorIndex: number;
  denominatorIndex: number;
  /** distinctCount/mode of a time field read off count tiles: the field's value in tile `idx`. */
  readonly tileKey: ((tileIndex: number) => number) | null;
}

export interface TileGroupPlan {
  readonly tile: TileSize;
  readonly tileMs: number;
  readonly accs: AccumulatorPlan[];
  /** Tiles kept behind the watermark's tile (the longest span of the group's accumulators). */
  spanTiles: number;
  /** Length of a tile entry: 1 (the tile index) + the widths of the partials. */
  size: number;
}

/** What one event type updates in a view: lifetime accumulators, and per tile group its accumulators. */
export interface EventRoute {
  readonly lifetime: AccumulatorPlan[];
  readonly groups: { readonly group: TileGroupPlan; readonly accs: AccumulatorPlan[] }[];
}

export interface ViewPlan {
  readonly lifetime: AccumulatorPlan[];
  /** Length of the flat lifetime array (the widths of the lifetime partials). */
  readonly lifetimeWidth: number;
  readonly groups: TileGroupPlan[];
  readonly features: FeaturePlan[];
  /** What each source event type updates, for the hot path. */
  readonly routes: Map<string, EventRoute>;
  /** `{ [feature name]: values[i] }` in declared order (compiled: see recordBuilder). */
  readonly toRecord: <T>(values: readonly T[]) => Record<string, T>;
  readonly fingerprint: string;
}

/** Assumes the definition is valid (defineFeatureView checks before compiling). */
export function compilePlan(
  def: FeatureViewDefinition,
  valueTypes: Readonly<Record<string, FeatureValueType>>,
): ViewPlan {
  const accs = new Map<string, AccumulatorPlan>();
  const lifetime: AccumulatorPlan[] = [];
  const groups: TileGroupPlan[] = [];
  const features: FeaturePlan[] = [];

  for (const f of def.features) {
    if (f.aggregation === 'ratio') {
      features.push({
        name: f.name,
        aggregation: 'ratio',
        valueType: 'number',
        acc: null,
        fromTiles: 0,
        toTiles: 0,
        numerator: f.numerator,
        denominator: f.denominator,
        numeratorIndex: def.features.findIndex((x) => x.name === f.numerator),
        denominatorIndex: def.features.findIndex((x) => x.name === f.denominator),
        tileKey: null,
      });
      continue;
    }
    const w = parseWindow(f.window);
    if (typeof w === 'string') throw new Error(w);
    const tile = w.lifetime ? null : ((f.tile ?? defaultTile(w.lengthMs, w.offsetMs)) as TileSize);
    const tMs = tile ? tileMs(tile) : 0;
    const spanTiles = tile ? (w.lengthMs + w.offsetMs) / tMs : 0;
    const tileKey = tile ? tileKeyOf(f, tMs) : null;
    // A tile-keyed bag is stored as the count of the same events.
    const stored: FeatureDefinition = tileKey
      ? { name: f.name, aggregation: 'count', eventTypes: f.eventTypes, where: f.where }
      : f;
    const kind = KIND_OF[stored.aggregation as Exclude<Aggregation, 'ratio'>];
    const signature = accumulatorSignature(kind, tile, stored, def);
    let acc = accs.get(signature);
    if (!acc) {
      acc = newAccumulator(kind, tile, tMs, stored, signature, def);
      accs.set(signature, acc);
      if (tile === null) {
        lifetime.push(acc);
      } else {
        let g = groups.find((x) => x.tile === tile);
        if (!g) groups.push((g = { tile, tileMs: tMs, accs: [], spanTiles: 0, size: 0 }));
        g.accs.push(acc);
      }
    }
    if (f.aggregation === 'variance') acc.order2 = true;
    acc.spanTiles = Math.max(acc.spanTiles, spanTiles);
    features.push({
      name: f.name,
      aggregation: f.aggregation,
      valueType: valueTypes[f.name],
      acc,
      fromTiles: tile ? spanTiles - 1 : 0,
      toTiles: tile ? w.offsetMs / tMs : 0,
      numerator: undefined,
      denominator: undefined,
      numeratorIndex: -1,
      denominatorIndex: -1,
      tileKey,
    });
  }
  let lifetimeWidth = 0;
  for (const a of lifetime) {
    a.offset = lifetimeWidth;
    a.width = partialWidth(a);
    lifetimeWidth += a.width;
  }
  for (const g of groups) {
    g.spanTiles = Math.max(...g.accs.map((a) => a.spanTiles));
    let offset = 1;
    for (const a of g.accs) {
      a.offset = offset;
      a.width = partialWidth(a);
      offset += a.width;
    }
    for (const a of g.accs) a.groupSize = offset;
    g.size = offset;
  }

  const takes = (t: string) => (a: AccumulatorPlan) => !a.eventTypes || a.eventTypes.has(t);
  const routes = new Map<string, EventRoute>();
  for (const t of def.sources) {
    routes.set(t, {
      lifetime: lifetime.filter(takes(t)),
      groups: groups.map((group) => ({ group, accs: group.accs.filter(takes(t)) })).filter((r) => r.accs.length > 0),
    });
  }
  // The layout (and the retention, which decides what history a window can see) goes into the
  // fingerprint: state built under another layout is discarded rather than misread.
  const layout = JSON.stringify([
    LAYOUT,
    lifetime.map((a) => [a.signature, a.order2]),
    groups.map((g) => [g.tile, g.spanTiles, g.accs.map((a) => [a.signature, a.order2])]),
  ]);
  return {
    lifetime,
    lifetimeWidth,
    groups,
    features,
    routes,
    toRecord: recordBuilder(features.map((f) => f.name)),
    fingerprint: fnv1a(layout),
  };
}

/**
 * A function returning `{ [names[i]]: values[i] }` as one object literal: evaluation builds two such
 * records per view and entity, and a literal of a fixed shape is several times cheaper than setting
 * the properties one by one. The names are quoted (JSON.stringify), so any name is safe in the source.
 */
function recordBuilder(names: readonly string[]): <T>(values: readonly T[]) => Record<string, T> {
  const body = `return { ${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ')} };`;
  return new Function('v', body) as <T>(values: readonly T[]) => Record<string, T>;
}

/** Generation of the partials' layout; part of every fingerprint. */
const LAYOUT = 'flat-2';

/** The value of a distinctCount/mode's time field in a tile, when the tile holds a single value of it. */
function tileKeyOf(f: FeatureDefinition, tMs: number): ((tileIndex: number) => number) | null {
  if ((f.aggregation !== 'distinctCount' && f.aggregation !== 'mode') || f.of === undefined || f.map !== undefined)
    return null;
  const field = Object.prototype.hasOwnProperty.call(TIME_FIELDS, f.of) ? TIME_FIELDS[f.of] : undefined;
  if (!field || field.periodMs % tMs !== 0) return null;
  return (idx) => field.of(idx * tMs);
}

/** Fields of a partial of this accumulator (see partials.ts for the layouts). */
function partialWidth(a: AccumulatorPlan): number {
  switch (a.kind) {
    case 'count':
      return 2;
    case 'moments':
      return a.order2 ? 4 : 3;
    case 'first':
      return 5;
    case 'last':
    case 'streak':
      return 4;
    default:
      return 3;
  }
}

// What the accumulator takes and how it reads it, as the fold sees it: the event types it takes (a
// feature without its own takes every source of the view) and the type its field is read as. Both are
// in the fingerprint, so adding a source or retyping an attribute makes stored states stale (rebuilt
// from the log) rather than silently missing that history.
function accumulatorSignature(
  kind: AccumulatorKind,
  tile: TileSize | null,
  f: FeatureDefinition,
  def: FeatureViewDefinition,
): string {
  const takes = [...(f.eventTypes ?? def.sources)].sort();
  return JSON.stringify([
    kind,
    tile,
    takes,
    f.where ?? [],
    f.of ?? null,
    f.of ? fieldType(f.of, takes, def.schema) : null,
    f.map ?? null,
    kind === 'moments' ? (f.decimals ?? DEFAULT_DECIMALS) : null,
  ]);
}

function newAccumulator(
  kind: AccumulatorKind,
  tile: TileSize | null,
  tMs: number,
  f: FeatureDefinition,
  signature: string,
  def: FeatureViewDefinition,
): AccumulatorPlan {
  const get = f.of ? typedGetter(fieldGetter(f.of), fieldType(f.of, f.eventTypes ?? def.sources, def.schema)) : null;
  const map = f.map;
  let read: (e: EngagementEvent) => AttributeValue | undefined;
  if (!get) read = () => 1;
  else if (kind === 'moments' || kind === 'min' || kind === 'max') read = (e) => toNumber(get(e), map);
  else if (kind === 'first' || kind === 'last' || kind === 'bag') read = (e) => toKey(get(e), map);
  else read = get;
  return {
    kind,
    tile,
    tileMs: tMs,
    eventTypes: f.eventTypes ? new Set(f.eventTypes) : null,
    predicate: compileConditions(f.where ?? []),
    read,
    hasField: get !== null,
    scale: 10 ** (f.decimals ?? DEFAULT_DECIMALS),
    order2: false,
    spanTiles: 0,
    groupSize: 0,
    offset: 0,
    width: 0,
    signature,
  };
}

// A value of another type than the declared one (an event that escaped validation) contributes nothing.
function typedGetter(get: FieldGetter, type: string): FieldGetter {
  return (e) => {
    const v = get(e);
    return typeof v === type ? v : undefined;
  };
}

// -0 becomes 0: JSON cannot carry it, and min/max could not order it against 0.
function toNumber(
  v: AttributeValue | undefined,
  map: Readonly<Record<string, number>> | undefined,
): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v + 0 : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && map && Object.prototype.hasOwnProperty.call(map, v)) return map[v];
  return undefined;
}

function toKey(
  v: AttributeValue | undefined,
  map: Readonly<Record<string, number>> | undefined,
): AttributeValue | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && map) return Object.prototype.hasOwnProperty.call(map, v) ? map[v] : undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v + 0 : undefined;
  return v;
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
