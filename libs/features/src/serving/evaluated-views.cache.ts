import { LruMap } from '@pulse/core';
import { parseDuration } from '../definition/duration';
import { TILE_SIZES, type FeatureValue, type FeatureValues, type FeatureView } from '../definition/feature-view.types';
import { asOfDependence } from '../engine/as-of-dependence';
import type { EntityState } from '../engine/entity-state';
import { evaluateViewColumns } from '../engine/evaluate';
import type { FeatureRegistry } from '../engine/feature-registry';
import type { AnsweredView, EncodingMemo, RowTemplate, ViewColumns } from './read-answer.types';

/** What a view's features need to be read at another time of the epoch; null: evaluate every time. */
interface ViewShape extends AnsweredView {
  /** Positions of the features whose values shift one for one with the as-of time (timeSinceLast). */
  readonly shifted: readonly number[];
  /** False: a value depends on the time otherwise (never reused). */
  readonly cacheable: boolean;
}

/**
 * Every tile size divides this (5 min): two as-of times in the same epoch — floor(T / EPOCH_MS) — see the
 * same tile indices k = floor(T / S) for every window, so they differ only by the shifts above.
 */
export const EPOCH_MS: number = TILE_SIZES.map((t) => parseDuration(t) as number).reduce(gcd);

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function shapeOf(view: FeatureView): ViewShape {
  const shifted: number[] = [];
  let cacheable = true;
  // Each aggregation declares how its value follows the as-of time (a ratio follows its operands).
  view.features.forEach((f, i) => {
    const dependence = asOfDependence(view, f.name);
    if (dependence === 'shift') shifted.push(i);
    else if (dependence === 'time') cacheable = false;
  });
  const names = view.features.map((f) => f.name);
  const record = new Function(
    'v',
    `return { ${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ')} };`,
  ) as ViewShape['record'];
  return { name: view.name, features: names, shifted, cacheable, record };
}

export interface EvaluatedViewsOptions {
  /** Entities kept (least recently evaluated dropped first); 0 disables. Default 20,000. */
  readonly maxEntries?: number;
  /**
   * An entry older than this is not used (default 60 s, as the StateCache's): the version alone cannot
   * tell a state deleted and rewritten up to the same version.
   */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly version: number;
  /** The state's watermark (the newest event time folded in), null without events. */
  readonly w: number | null;
  readonly epoch: number;
  readonly at: number;
  /** By view position in the registry; undefined: not evaluated yet. */
  readonly views: (ViewColumns | undefined)[];
  /** Incremented by every store(): whenever the columns of an answer may differ from the last. */
  gen: number;
  row?: RowTemplate;
}

/**
 * Evaluated views per entity, reused while the entity's stored version and the as-of time's epoch stay
 * the same: a read of 1000 entities then costs a lookup and a few subtractions each instead of merging
 * their tiles again. Keyed by version, so a newer state is evaluated afresh.
 */
export class EvaluatedViews {
  private readonly shapes: ViewShape[];
  private readonly index = new Map<string, number>();
  private readonly entries: LruMap<string, Entry>;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    readonly registry: FeatureRegistry,
    options: EvaluatedViewsOptions = {},
  ) {
    this.shapes = registry.views.map(shapeOf);
    this.shapes.forEach((s, i) => this.index.set(s.name, i));
    this.maxEntries = options.maxEntries ?? 20_000;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 0)
      throw new RangeError(`maxEntries must be a non-negative integer, got ${this.maxEntries}`);
    this.entries = new LruMap(this.maxEntries);
    if (!(this.maxAgeMs >= 0)) throw new RangeError(`maxAgeMs must be ≥ 0, got ${this.maxAgeMs}`);
    this.now = options.now ?? Date.now;
  }

  /** Registry positions of the named views (all when undefined). */
  positions(viewNames: readonly string[] | undefined): number[] {
    if (!viewNames) return this.shapes.map((_, i) => i);
    const out: number[] = [];
    for (const name of viewNames) {
      const i = this.index.get(name);
      if (i === undefined) throw new RangeError(`unknown feature view "${name}"`);
      if (!out.includes(i)) out.push(i);
    }
    return out;
  }

  shape(position: number): AnsweredView {
    return this.shapes[position];
  }

  /** The clock entries are aged by: read once for the many lookups of a batch. */
  clock(): number {
    return this.now();
  }

  /**
   * Fills `out` from `offset` on with the views' columns cached for this version and as-of epoch and
   * returns the state's watermark; undefined (a miss) unless every view is there. `nowMs`: clock().
   */
  lookup(
    entityId: string,
    version: number,
    asOfMs: number,
    positions: readonly number[],
    out: ViewColumns[],
    offset: number,
    nowMs: number,
  ): (EncodingMemo & { readonly w: number | null }) | undefined {
    const e = this.entries.get(entityId);
    if (e === undefined || e.version !== version || e.epoch !== epochOf(asOfMs) || nowMs - e.at > this.maxAgeMs)
      return undefined;
    for (let j = 0; j < positions.length; j++) {
      const c = e.views[positions[j]];
      if (c === undefined) return undefined;
      out[offset + j] = c;
    }
    return e;
  }

  /**
   * Columns of `values` (evaluate's result at asOfMs for the views at `positions`), written to `out`
   * from `offset` on and cached under the entity's version when cacheable (an integer as-of time, views without time-dependent ratios);
   * returns the entity's entry then.
   */
  store(
    entityId: string,
    version: number | undefined,
    w: number | null,
    asOfMs: number,
    positions: readonly number[],
    values: FeatureValues,
    out: ViewColumns[],
    offset: number,
  ): EncodingMemo | undefined {
    const entry = this.entryFor(entityId, version, w, asOfMs);
    for (let j = 0; j < positions.length; j++) {
      const shape = this.shapes[positions[j]];
      this.keep(entry, positions[j], (out[offset + j] = columnsOf(shape, asOfMs, values[shape.name])));
    }
    return this.renewed(entry);
  }

  /** store() of the state's views evaluated here, straight into columns (evaluateViewColumns: no records in between). */
  evaluate(
    entityId: string,
    version: number,
    state: EntityState,
    asOfMs: number,
    positions: readonly number[],
    out: ViewColumns[],
    offset: number,
  ): EncodingMemo | undefined {
    const entry = this.entryFor(entityId, version, state.w, asOfMs);
    for (let j = 0; j < positions.length; j++) {
      const shape = this.shapes[positions[j]];
      const n = shape.features.length;
      const values = new Array<FeatureValue>(n);
      const freshness = new Array<number | null>(n);
      const viewVersion = evaluateViewColumns(state, asOfMs, this.registry, positions[j], values, freshness);
      this.keep(
        entry,
        positions[j],
        (out[offset + j] = { version: viewVersion, asOf: asOfMs, shifted: shape.shifted, values, freshness }),
      );
    }
    return this.renewed(entry);
  }

  /** The entity's entry for this version and epoch, made afresh if the one there is for others; undefined: not cached. */
  private entryFor(entityId: string, version: number | undefined, w: number | null, asOfMs: number): Entry | undefined {
    if (version === undefined || this.maxEntries === 0 || !Number.isInteger(asOfMs)) return undefined;
    const epoch = epochOf(asOfMs);
    let entry = this.entries.get(entityId);
    if (
      entry === undefined ||
      entry.version !== version ||
      entry.epoch !== epoch ||
      this.now() - entry.at > this.maxAgeMs
    ) {
      entry = { version, w, epoch, at: this.now(), views: new Array(this.shapes.length), gen: 0 };
      this.entries.set(entityId, entry);
    }
    return entry;
  }

  private keep(entry: Entry | undefined, position: number, columns: ViewColumns): void {
    if (entry !== undefined && this.shapes[position].cacheable) entry.views[position] = columns;
  }

  /** The row's columns are new (an uncacheable view's too): encodings made before no longer apply. */
  private renewed(entry: Entry | undefined): Entry | undefined {
    if (entry !== undefined) entry.gen++;
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }
}

export function epochOf(asOfMs: number): number {
  return Math.floor(asOfMs / EPOCH_MS);
}

function columnsOf(shape: ViewShape, asOf: number, v: FeatureValues[string]): ViewColumns {
  const n = shape.features.length;
  const values = new Array<FeatureValue>(n);
  const freshness = new Array<number | null>(n);
  for (let i = 0; i < n; i++) {
    values[i] = v.values[shape.features[i]];
    freshness[i] = v.freshness[shape.features[i]];
  }
  return { version: v.version, asOf, shifted: shape.shifted, values, freshness };
}
