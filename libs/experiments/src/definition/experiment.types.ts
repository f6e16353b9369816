import type { VariationRange } from '../bucketing/variation-range';
import type { Namespace } from '../bucketing/namespace';
import type { Condition } from '../conditions/condition.types';
import type { HashVersion } from '../hashing/growthbook-hash';

export type ExperimentStatus = 'draft' | 'running' | 'stopped';

/** A variation's identity: `key` is what results and exposures report (default: its index). */
export interface VariationMeta {
  readonly key?: string;
  readonly name?: string;
  /** GrowthBook's holdout marker: units are bucketed but see the control's value. */
  readonly passthrough?: boolean;
}

/** A hash-range filter (GrowthBook's newer namespaces): the unit must fall in one of the ranges. */
export interface ExperimentFilter {
  readonly seed: string;
  readonly ranges: readonly VariationRange[];
  /** Attribute hashed (default "id"). */
  readonly attribute?: string;
  /** Default 2, unlike experiments. */
  readonly hashVersion?: HashVersion;
}

/**
 * An experiment as written: GrowthBook's field names, so that its definitions import as they are,
 * plus Pulse's lifecycle (`status`, `startAt`/`endAt`), metrics and a version.
 */
export interface ExperimentDefinition<V = unknown> {
  readonly key: string;
  readonly variations: readonly V[];
  readonly weights?: readonly number[];
  readonly coverage?: number;
  readonly hashAttribute?: string;
  /** Kept for import; GrowthBook uses it only with sticky bucketing, which Pulse does not keep. */
  readonly fallbackAttribute?: string;
  readonly hashVersion?: HashVersion;
  readonly seed?: string;
  readonly namespace?: Namespace;
  readonly condition?: Condition;
  readonly meta?: readonly VariationMeta[];
  readonly filters?: readonly ExperimentFilter[];
  /** Explicit hash ranges per variation, instead of weights and coverage. */
  readonly ranges?: readonly VariationRange[];
  /** Everyone within coverage gets this variation (GrowthBook's QA override). */
  readonly force?: number;
  readonly active?: boolean;
  readonly name?: string;
  readonly status?: ExperimentStatus;
  /** ISO 8601 instants; assignment at a time outside [startAt, endAt) leaves the unit out. */
  readonly startAt?: string;
  readonly endAt?: string;
  readonly metrics?: readonly string[];
  readonly version?: number;
  /**
   * A model experiment: the model whose triggers it routes; each variation is "champion",
   * "challenger" or "rule" (the rule-based fallback).
   */
  readonly model?: string;
}

/** A validated, frozen experiment with its defaults resolved. */
export interface Experiment<V = unknown> extends ExperimentDefinition<V> {
  readonly weights: readonly number[];
  readonly coverage: number;
  readonly hashAttribute: string;
  readonly hashVersion: HashVersion;
  readonly seed: string;
  readonly status: ExperimentStatus;
  readonly metrics: readonly string[];
  readonly version: number;
}

/** Checks against the caller's world (the metrics it knows). */
export interface DefineExperimentOptions {
  /** Metric names an experiment may analyse; when given, any other is refused. */
  readonly metrics?: Iterable<string>;
}
