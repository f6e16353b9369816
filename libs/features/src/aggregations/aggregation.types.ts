/**
 * What an aggregation is made of, as a plugin: its name and definition rules, the accumulator (the
 * partial aggregate kept per tile or over the lifetime: its layout, update, merge), the final value
 * read from a (merged) partial, and how that value depends on the as-of time. Each aggregation is one
 * `*.aggregation.ts` file listed in aggregation.registry.ts; several may share an accumulator (sum,
 * mean and variance keep the same moments).
 */
import type { AttributeValue } from '@pulse/contracts';
import type { AttributeType, FeatureFields, FeatureValueType } from '../definition/feature-view.types';
import type { AccumulatorPlan, FeaturePlan } from '../engine/plan';

/** A flat array holding partials side by side (a view's lifetime array or a tile group's array). */
export type Fields = unknown[];

/**
 * The partial aggregate. Field 0 is the number of events folded in and field 1 the newest event time;
 * the engine keeps both. The accumulator's own fields follow, `width − 2` of them, all 0 in an empty
 * partial. Every update and merge must be commutative and associative (or settled in a canonical
 * order, see `settle`): a partial is a function of the set of events folded into it.
 */
export interface AccumulatorSpec<C = unknown, O = unknown> {
  /** Part of every view fingerprint: renaming a kind discards the states built with it. */
  readonly kind: string;
  /**
   * How the event's field is read: `number` (numbers — non-finite ones left out —, booleans as 1/0,
   * strings through the feature's map), `key` (booleans as 1/0, mapped strings as numbers, other values
   * as they are) or `raw`. Without a field every event reads as 1.
   */
  readonly reads: 'number' | 'key' | 'raw';
  /** Settings taken from the feature (fixed per accumulator; features differing in them never share one). */
  config(f: FeatureFields & Partial<O>): C;
  /** The settings as they go into the fingerprint (JSON); omitted: none. */
  signature?(f: FeatureFields & Partial<O>): unknown;
  /** Fields of a partial, the two the engine keeps included. */
  width(acc: AccumulatorPlan<C>): number;
  /**
   * Folds value `v` of an event at time `t` (relative to the tile's start) into the partial at `a[o]`,
   * which holds `n` events so far (0: empty, all fields 0). False leaves the event out of the partial.
   */
  update(acc: AccumulatorPlan<C>, a: Fields, o: number, n: number, t: number, id: string, v: AttributeValue): boolean;
  /**
   * Starts a merge in `out` (fields from index 2) from the partial at `a[p]` of a tile starting at `base`
   * (times in `out` are absolute). Tiles come newest first.
   */
  start(acc: AccumulatorPlan<C>, a: Fields, p: number, base: number, out: Fields): void;
  /** Merges the partial at `a[p]` (newest event time t, absolute) into `out`, whose newest time so far is `newest`. */
  merge(acc: AccumulatorPlan<C>, a: Fields, p: number, base: number, t: number, newest: number, out: Fields): void;
  /**
   * Settles what no later event can reorder any more: called after every fold that applied events, with
   * `cutoff` = watermark − allowed lateness (relative to the tile's start): no event older than the
   * cutoff can still be applied. For state that must see its events in order (a streak, a sketch).
   */
  settle?(acc: AccumulatorPlan<C>, a: Fields, o: number, cutoff: number): void;
}

/** What a feature's field must be for the aggregation. */
export type FieldRequirement =
  /** Optional, any type: with a field, only events having it count. */
  | 'optional'
  /** Required, any type. */
  | 'any'
  /** Numbers or booleans, or strings with a `map` to numbers. */
  | 'numeric'
  | 'boolean'
  /** Strings, read as they are (no map). */
  | 'categorical';

/** An aggregation option (a property of the feature definition, e.g. `k`). */
export interface OptionSpec<T> {
  readonly required: boolean;
  /** What it is, for the message when a required option is missing (e.g. `an integer in [1, 100]`). */
  readonly describe: string;
  /** A message saying what is wrong with `value`, or undefined when it is valid. */
  check(value: unknown): string | undefined;
  /** @internal the option's type, for the derived definition types only. */
  readonly __type?: T;
}

export function option<T>(spec: Omit<OptionSpec<T>, '__type'>): OptionSpec<T> {
  return spec;
}

export type OptionSpecs<O> = { readonly [K in keyof O]: OptionSpec<O[K]> };

/**
 * How a value depends on the as-of time T, for a given state: `tiles` — only through the windows' tile
 * indices (the same for every T of a 5-minute epoch); `shift` — it is T minus a time of the state (it
 * moves one for one with T); `time` — otherwise (a reader must evaluate it at each T).
 */
export type AsOfDependence = 'tiles' | 'shift' | 'time';

/** An aggregation folded from events through an accumulator. */
export interface AccumulatingAggregation<N extends string = string, O = unknown, V = unknown> {
  readonly name: N;
  readonly field: FieldRequirement;
  readonly options: OptionSpecs<O>;
  readonly accumulator: AccumulatorSpec;
  /** False: lifetime only (its value is defined over the whole history). */
  readonly windowed: boolean;
  readonly asOf: AsOfDependence;
  /**
   * Over a time field constant within a tile (hourOfDay in tiles ≤ 1 h, dayOfWeek/dayIndex in tiles
   * ≤ 1 d), keep no accumulator: read the field's value per tile off the count tiles of the same events
   * (`f.tileKey`, with the counts in the engine's `keyCounts`).
   */
  readonly tileKeyed?: boolean;
  /** Called for each feature using the accumulator (e.g. variance asks for the sum of squares). */
  use?(acc: AccumulatorPlan): void;
  /** The output type, given the field's type (undefined without a field). */
  valueType(field: AttributeType | undefined, f: FeatureFields & Partial<O>): FeatureValueType;
  /** The value from the partial at `p[o]` (merged, or the lifetime one); `found` false: no event. */
  value(found: boolean, p: Fields, o: number, f: FeaturePlan, asOf: number): V;
}

/** An aggregation computed from other features of the view (their values as of the same time). */
export interface DerivedAggregation<N extends string = string, V = unknown> {
  readonly name: N;
  readonly derived: true;
  /** Properties of the definition naming the operand features (numeric, not derived themselves). */
  readonly operands: readonly ('numerator' | 'denominator')[];
  combine(values: readonly unknown[]): V;
}

export type AggregationSpec = AccumulatingAggregation | DerivedAggregation;

export function isDerived(spec: AggregationSpec): spec is DerivedAggregation {
  return 'derived' in spec;
}

/** Identity helpers that check a plugin against the interface while keeping its literal types. */
export function defineAggregation<N extends string, O, V>(
  spec: AccumulatingAggregation<N, O, V>,
): AccumulatingAggregation<N, O, V> {
  return spec;
}

export function defineAccumulator<C, O = unknown>(spec: AccumulatorSpec<C, O>): AccumulatorSpec<C, O> {
  return spec;
}
