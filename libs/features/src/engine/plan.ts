/**
 * Compiles a validated view into accumulators: the state each feature needs. Features that read the
 * same thing the same way share an accumulator (e.g. `lessons_completed_7d` and `_30d` share one set
 * of daily count tiles); the window only matters when evaluating.
 */
import type { AttributeValue, EngagementEvent } from '@pulse/contracts';
import { parseWindow, defaultTile, tileMs } from '../definition/duration';
import { compileConditions, fieldGetter, fieldType, type FieldGetter, type Predicate } from '../definition/fields';
import type { Aggregation, FeatureDefinition, FeatureValueType, FeatureViewDefinition, TileSize } from '../definition/feature-view.types';

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
  /** Position of the partial in its group (lifetime list or tile). */
  slot: number;
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
  /** Tiles kept by the accumulator's tile group (the longest span in the group): one horizon per group keeps states canonical. */
  retentionTiles: number;
  /** Length of a tile entry of its group: 1 (the tile index) + the widths of the group's partials. */
  groupSize: number;
  /** Where this accumulator's partial starts in a tile entry, and how many fields it has. */
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
}

export interface TileGroupPlan {
  readonly tile: TileSize;
  readonly tileMs: number;
  readonly accs: AccumulatorPlan[];
  spanTiles: number;
}

export interface ViewPlan {
  readonly lifetime: AccumulatorPlan[];
  readonly groups: TileGroupPlan[];
  readonly features: FeaturePlan[];
  /** Accumulators by event type, for the hot path. */
  readonly byEventType: Map<string, AccumulatorPlan[]>;
  readonly fingerprint: string;
}

/** Assumes the definition is valid (defineFeatureView checks before compiling). */
export function compilePlan(def: FeatureViewDefinition, valueTypes: Readonly<Record<string, FeatureValueType>>): ViewPlan {
  const accs = new Map<string, AccumulatorPlan>();
  const lifetime: AccumulatorPlan[] = [];
  const groups: TileGroupPlan[] = [];
  const features: FeaturePlan[] = [];

  for (const f of def.features) {
    if (f.aggregation === 'ratio') {
      features.push({ name: f.name, aggregation: 'ratio', valueType: 'number', acc: null, fromTiles: 0, toTiles: 0, numerator: f.numerator, denominator: f.denominator });
      continue;
    }
    const w = parseWindow(f.window);
    if (typeof w === 'string') throw new Error(w);
    const tile = w.lifetime ? null : ((f.tile ?? defaultTile(w.lengthMs, w.offsetMs)) as TileSize);
    const tMs = tile ? tileMs(tile) : 0;
    const spanTiles = tile ? (w.lengthMs + w.offsetMs) / tMs : 0;
    const kind = KIND_OF[f.aggregation];
    const signature = accumulatorSignature(kind, tile, f);
    let acc = accs.get(signature);
    if (!acc) {
      acc = newAccumulator(kind, tile, tMs, f, signature, def);
      accs.set(signature, acc);
      if (tile === null) {
        acc.slot = lifetime.length;
        lifetime.push(acc);
      } else {
        let g = groups.find((x) => x.tile === tile);
        if (!g) groups.push((g = { tile, tileMs: tMs, accs: [], spanTiles: 0 }));
        acc.slot = g.accs.length;
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
    });
  }
  for (const g of groups) {
    g.spanTiles = Math.max(...g.accs.map((a) => a.spanTiles));
    let offset = 1;
    for (const a of g.accs) {
      a.retentionTiles = g.spanTiles;
      a.offset = offset;
      a.width = partialWidth(a);
      offset += a.width;
    }
    for (const a of g.accs) a.groupSize = offset;
  }

  const byEventType = new Map<string, AccumulatorPlan[]>();
  for (const t of def.sources) {
    const list = [...lifetime, ...groups.flatMap((g) => g.accs)].filter((a) => !a.eventTypes || a.eventTypes.has(t));
    byEventType.set(t, list);
  }
  // The layout (and the retention, which decides what history a window can see) goes into the
  // fingerprint: state built under another layout is discarded rather than misread.
  const layout = JSON.stringify([
    lifetime.map((a) => [a.signature, a.order2]),
    groups.map((g) => [g.tile, g.spanTiles, g.accs.map((a) => [a.signature, a.order2])]),
  ]);
  return { lifetime, groups, features, byEventType, fingerprint: fnv1a(layout) };
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
      return 4;
    default:
      return 3;
  }
}

function accumulatorSignature(kind: AccumulatorKind, tile: TileSize | null, f: FeatureDefinition): string {
  return JSON.stringify([
    kind,
    tile,
    f.eventTypes ? [...f.eventTypes].sort() : null,
    f.where ?? [],
    f.of ?? null,
    f.map ?? null,
    kind === 'moments' ? (f.decimals ?? DEFAULT_DECIMALS) : null,
  ]);
}

function newAccumulator(kind: AccumulatorKind, tile: TileSize | null, tMs: number, f: FeatureDefinition, signature: string, def: FeatureViewDefinition): AccumulatorPlan {
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
    slot: 0,
    eventTypes: f.eventTypes ? new Set(f.eventTypes) : null,
    predicate: compileConditions(f.where ?? []),
    read,
    hasField: get !== null,
    scale: 10 ** (f.decimals ?? DEFAULT_DECIMALS),
    order2: false,
    spanTiles: 0,
    retentionTiles: 0,
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
function toNumber(v: AttributeValue | undefined, map: Readonly<Record<string, number>> | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v + 0 : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && map && Object.prototype.hasOwnProperty.call(map, v)) return map[v];
  return undefined;
}

function toKey(v: AttributeValue | undefined, map: Readonly<Record<string, number>> | undefined): AttributeValue | undefined {
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
