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
  FeatureDefinition,
  FeatureFields,
  FeatureValueType,
  FeatureViewDefinition,
  TileSize,
} from '../definition/feature-view.types';
import { aggregationSpec } from '../aggregations/aggregation.registry';
import {
  isDerived,
  type AccumulatingAggregation,
  type AccumulatorSpec,
  type AsOfDependence,
  type Fields,
} from '../aggregations/aggregation.types';

export interface AccumulatorPlan<C = unknown> {
  /** The accumulator's kind (its spec's). */
  readonly kind: string;
  readonly spec: AccumulatorSpec<C>;
  /** The spec's functions, as fields of the plan (one shape for every accumulator: monomorphic loads). */
  readonly update: AccumulatorSpec<C>['update'];
  readonly start: AccumulatorSpec<C>['start'];
  readonly merge: AccumulatorSpec<C>['merge'];
  /** Settings from the feature definition (e.g. the precision of moments). */
  readonly config: C;
  /** null = lifetime (a single partial). */
  readonly tile: TileSize | null;
  readonly tileMs: number;
  readonly eventTypes: ReadonlySet<string> | null;
  readonly predicate: Predicate | null;
  /** Reads the aggregated value; undefined = the event does not contribute. */
  readonly read: (e: EngagementEvent) => AttributeValue | undefined;
  readonly hasField: boolean;
  /** Set by a user that needs more of the partial (variance: the sum of squares of moments). */
  extended: boolean;
  /** The partial has fields besides the count and newest time (merges must visit them). */
  hasFields: boolean;
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
  readonly aggregation: string;
  readonly definition: FeatureFields;
  readonly valueType: FeatureValueType;
  readonly acc: AccumulatorPlan | null;
  /** The aggregation's final value (null for a derived feature, see `combine`). */
  readonly value: ((found: boolean, p: Fields, o: number, f: FeaturePlan, asOf: number) => unknown) | null;
  /** Derived (ratio): the value from the operands' values, in `operandIndexes` order. */
  readonly combine: ((values: readonly unknown[]) => unknown) | null;
  readonly operandIndexes: readonly number[];
  readonly asOf: AsOfDependence;
  /** Windowed: the window covers tiles [k - fromTiles, k - toTiles] where k is the as-of time's tile. */
  readonly fromTiles: number;
  readonly toTiles: number;
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
  /** Its accumulators with a `settle` step. */
  settling: AccumulatorPlan[];
}

/** What one event type updates in a view: lifetime accumulators, and per tile group its accumulators. */
export interface EventRoute {
  readonly lifetime: AccumulatorPlan[];
  readonly groups: { readonly group: TileGroupPlan; readonly accs: AccumulatorPlan[] }[];
}

export interface ViewPlan {
  readonly lifetime: AccumulatorPlan[];
  /** Accumulators with a `settle` step: lifetime ones, and per tile group. */
  readonly settling: { readonly lifetime: AccumulatorPlan[]; readonly groups: TileGroupPlan[] };
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
    const spec = aggregationSpec(f.aggregation);
    if (spec === undefined) throw new Error(`unknown aggregation ${f.aggregation}`);
    if (isDerived(spec)) {
      features.push({
        name: f.name,
        aggregation: f.aggregation,
        definition: f,
        valueType: valueTypes[f.name],
        acc: null,
        value: null,
        combine: spec.combine,
        operandIndexes: spec.operands.map((k) => def.features.findIndex((x) => x.name === f[k])),
        asOf: 'tiles',
        fromTiles: 0,
        toTiles: 0,
        tileKey: null,
      });
      continue;
    }
    const w = parseWindow(f.window);
    if (typeof w === 'string') throw new Error(w);
    const tile = w.lifetime ? null : ((f.tile ?? defaultTile(w.lengthMs, w.offsetMs)) as TileSize);
    const tMs = tile ? tileMs(tile) : 0;
    const spanTiles = tile ? (w.lengthMs + w.offsetMs) / tMs : 0;
    const tileKey = tile && spec.tileKeyed ? tileKeyOf(f, tMs) : null;
    // A tile-keyed feature is stored as the count of the same events.
    const stored: FeatureDefinition = tileKey
      ? { name: f.name, aggregation: 'count', eventTypes: f.eventTypes, where: f.where }
      : f;
    const accSpec = (aggregationSpec(stored.aggregation) as AccumulatingAggregation).accumulator;
    const signature = accumulatorSignature(accSpec, tile, stored, def);
    let acc = accs.get(signature);
    if (!acc) {
      acc = newAccumulator(accSpec, tile, tMs, stored, signature, def);
      accs.set(signature, acc);
      if (tile === null) {
        lifetime.push(acc);
      } else {
        let g = groups.find((x) => x.tile === tile);
        if (!g) groups.push((g = { tile, tileMs: tMs, accs: [], spanTiles: 0, size: 0, settling: [] }));
        g.accs.push(acc);
      }
    }
    if (!tileKey) spec.use?.(acc);
    acc.spanTiles = Math.max(acc.spanTiles, spanTiles);
    features.push({
      name: f.name,
      aggregation: f.aggregation,
      definition: f,
      valueType: valueTypes[f.name],
      acc,
      value: spec.value,
      combine: null,
      operandIndexes: [],
      asOf: spec.asOf,
      fromTiles: tile ? spanTiles - 1 : 0,
      toTiles: tile ? w.offsetMs / tMs : 0,
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
    g.settling = g.accs.filter((a) => a.spec.settle !== undefined);
  }
  // A derived feature depends on the time as its operands do (a ratio over a shift is no shift).
  for (let i = 0; i < features.length; i++) {
    const f = features[i];
    if (f.combine === null) continue;
    const all = f.operandIndexes.map((j) => features[j].asOf);
    features[i] = { ...f, asOf: all.every((d) => d === 'tiles') ? 'tiles' : 'time' };
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
    lifetime.map((a) => [a.signature, a.extended]),
    groups.map((g) => [g.tile, g.spanTiles, g.accs.map((a) => [a.signature, a.extended])]),
  ]);
  return {
    lifetime,
    settling: {
      lifetime: lifetime.filter((a) => a.spec.settle !== undefined),
      groups: groups.filter((g) => g.settling.length > 0),
    },
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

/** The value of a tile-keyed feature's time field in a tile, when the tile holds a single value of it. */
function tileKeyOf(f: FeatureDefinition, tMs: number): ((tileIndex: number) => number) | null {
  if (f.of === undefined || f.map !== undefined) return null;
  const field = Object.prototype.hasOwnProperty.call(TIME_FIELDS, f.of) ? TIME_FIELDS[f.of] : undefined;
  if (!field || field.periodMs % tMs !== 0) return null;
  return (idx) => field.of(idx * tMs);
}

function partialWidth(a: AccumulatorPlan): number {
  const width = a.spec.width(a);
  a.hasFields = width > 2;
  return width;
}

// What the accumulator takes and how it reads it, as the fold sees it: the event types it takes (a
// feature without its own takes every source of the view) and the type its field is read as. Both are
// in the fingerprint, so adding a source or retyping an attribute makes stored states stale (rebuilt
// from the log) rather than silently missing that history. The last item is the accumulator's settings.
function accumulatorSignature(
  spec: AccumulatorSpec,
  tile: TileSize | null,
  f: FeatureDefinition,
  def: FeatureViewDefinition,
): string {
  const takes = [...(f.eventTypes ?? def.sources)].sort();
  return JSON.stringify([
    spec.kind,
    tile,
    takes,
    f.where ?? [],
    f.of ?? null,
    f.of ? fieldType(f.of, takes, def.schema) : null,
    f.map ?? null,
    spec.signature?.(f) ?? null,
  ]);
}

function newAccumulator(
  spec: AccumulatorSpec,
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
  else if (spec.reads === 'number') read = (e) => toNumber(get(e), map);
  else if (spec.reads === 'key') read = (e) => toKey(get(e), map);
  else read = get;
  return {
    kind: spec.kind,
    spec,
    update: spec.update,
    start: spec.start,
    merge: spec.merge,
    config: spec.config(f),
    tile,
    tileMs: tMs,
    eventTypes: f.eventTypes ? new Set(f.eventTypes) : null,
    predicate: compileConditions(f.where ?? []),
    read,
    hasField: get !== null,
    extended: false,
    hasFields: false,
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
