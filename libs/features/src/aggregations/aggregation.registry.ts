/**
 * The aggregations a feature may use. Adding one: its `*.aggregation.ts` file (see aggregation.types.ts
 * and the README) and its line here; the definition types, validation, plan and evaluation follow.
 */
import type { AccumulatingAggregation, AggregationSpec, DerivedAggregation, OptionSpec } from './aggregation.types';
import { count } from './count.aggregation';
import { currentStreak } from './current-streak.aggregation';
import { distinctCount } from './distinct-count.aggregation';
import { first } from './first.aggregation';
import { histogram } from './histogram.aggregation';
import { last } from './last.aggregation';
import { max } from './max.aggregation';
import { mean } from './mean.aggregation';
import { min } from './min.aggregation';
import { mode } from './mode.aggregation';
import { ratio } from './ratio.aggregation';
import { sum } from './sum.aggregation';
import { timeSinceLast } from './time-since-last.aggregation';
import { topK } from './top-k.aggregation';
import { variance } from './variance.aggregation';

export const AGGREGATION_SPECS = [
  count,
  sum,
  mean,
  variance,
  min,
  max,
  first,
  last,
  distinctCount,
  mode,
  currentStreak,
  timeSinceLast,
  ratio,
  topK,
  histogram,
] as const;

type Spec = (typeof AGGREGATION_SPECS)[number];

/** The name of an aggregation. */
export type AggregationName = Spec['name'];

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type OptionsOf<S> = S extends { readonly options: infer OS }
  ? { [K in keyof OS]: OS[K] extends OptionSpec<infer T> ? T : never }
  : never;
type AllOptions = UnionToIntersection<OptionsOf<Spec>>;

/** The options aggregations take, as properties of a feature definition (e.g. `k`, `edges`, `decimals`). */
export type AggregationOptions = { readonly [K in keyof AllOptions]?: AllOptions[K] };

type ValueOf<S> =
  S extends AccumulatingAggregation<string, unknown, infer V>
    ? V
    : S extends DerivedAggregation<string, infer V>
      ? V
      : never;

/** What a feature evaluates to (null: no value, e.g. the mean of no event). */
export type AggregationValue = ValueOf<Spec> | null;

export const AGGREGATIONS: readonly AggregationName[] = AGGREGATION_SPECS.map((s) => s.name);

const BY_NAME = new Map<string, AggregationSpec>(AGGREGATION_SPECS.map((s) => [s.name, s]));

/** The aggregation named `name`, or undefined. */
export function aggregationSpec(name: string): AggregationSpec | undefined {
  return BY_NAME.get(name);
}

/** The option names some aggregation declares, each with the aggregations declaring it. */
export const OPTION_OWNERS: ReadonlyMap<string, readonly string[]> = (() => {
  const owners = new Map<string, string[]>();
  for (const s of AGGREGATION_SPECS) {
    if (!('options' in s)) continue;
    for (const name of Object.keys(s.options)) owners.set(name, [...(owners.get(name) ?? []), s.name]);
  }
  return owners;
})();
