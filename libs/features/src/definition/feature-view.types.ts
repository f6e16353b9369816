import {
  AGGREGATIONS,
  type AggregationName,
  type AggregationOptions,
  type AggregationValue,
} from '../aggregations/aggregation.registry';

/**
 * The declarative shape of feature views. A view is a plain, versioned value (build it with
 * `defineFeatureView`, which validates it); views compose by import.
 */

/** Attribute types an event schema can declare. Booleans aggregate numerically as 1/0. */
export type AttributeType = 'number' | 'string' | 'boolean';

/** Per event type, the attributes it carries and their types. */
export type EventSchema = Readonly<Record<string, Readonly<Record<string, AttributeType>>>>;

/**
 * What a feature reads from an event:
 * - `channel`, `contentId`, `eventType` — the event's own fields (strings);
 * - `hourOfDay` (0–23), `dayOfWeek` (0 = Sunday … 6), `dayIndex` (UTC days since epoch) — derived
 *   from the event time, in UTC;
 * - `attributes.<name>` — a typed attribute (needs the view's `schema`);
 * - `profile.role`, `profile.region` — profile attributes (strings).
 */
export type FieldRef =
  | 'channel'
  | 'contentId'
  | 'eventType'
  | 'hourOfDay'
  | 'dayOfWeek'
  | 'dayIndex'
  | 'profile.role'
  | 'profile.region'
  | `attributes.${string}`;

/** The name of an aggregation (see aggregations/aggregation.registry.ts). */
export type Aggregation = AggregationName;

export { AGGREGATIONS };

export type ConditionOp = 'eq' | 'ne' | 'in' | 'notIn' | 'gt' | 'gte' | 'lt' | 'lte';
export type ConditionValue = string | number | boolean;

/** One filter condition; a feature's `where` list is a conjunction. A missing field fails the condition. */
export interface Condition {
  readonly field: FieldRef;
  readonly op: ConditionOp;
  readonly value: ConditionValue | readonly ConditionValue[];
}

/**
 * A duration written as `<n><unit>` with unit m, h or d (e.g. `15m`, `1h`, `7d`).
 * A window is `lifetime`, a duration (`7d` = the last 7 days), or `{ last, offset }` for a window that
 * ends `offset` before the as-of time (`{ last: '14d', offset: '14d' }` = [T−28d, T−14d)).
 */
export type Duration = `${number}${'m' | 'h' | 'd'}`;
export type WindowSpec = 'lifetime' | Duration | { readonly last: Duration; readonly offset?: Duration };

/** Tile sizes a windowed feature may use (each divides a UTC day, so tiles align with days). */
export const TILE_SIZES = ['5m', '15m', '1h', '6h', '1d'] as const;
export type TileSize = (typeof TILE_SIZES)[number];

/** A feature's definition, without its aggregation and the aggregations' options. */
export type FeatureFields = {
  readonly name: string;
  /** The field aggregated. Required except for count, timeSinceLast (optional: only events having it) and ratio. */
  readonly of?: FieldRef;
  /** Maps a string field to numbers (e.g. difficulty beginner=1…advanced=3) for numeric aggregations. */
  readonly map?: Readonly<Record<string, number>>;
  /** Only these event types (a subset of the view's sources); default: all sources. */
  readonly eventTypes?: readonly string[];
  /** Only events satisfying every condition. */
  readonly where?: readonly Condition[];
  /** Default `lifetime`. */
  readonly window?: WindowSpec;
  /** Tile size override; default 15m for windows(+offset) ≤ 6h, 1h up to 48h, 1d beyond. */
  readonly tile?: TileSize;
  /** ratio only: names of two non-ratio numeric features of the same view. */
  readonly numerator?: string;
  readonly denominator?: string;
  /** For string-valued and topK features: the known categories (columns of feature vectors). */
  readonly categories?: readonly string[];
  readonly description?: string;
};

/**
 * A feature: its fields, its aggregation and that aggregation's options — `decimals` (sum, mean,
 * variance: decimal places values are aggregated at, exactly; default 4), `k` (topK), `edges`
 * (histogram); see each `aggregations/*.aggregation.ts`.
 */
export type FeatureDefinition = FeatureFields & AggregationOptions & { readonly aggregation: Aggregation };

export interface FeatureViewDefinition {
  /** snake_case, unique in a registry. */
  readonly name: string;
  /** Positive integer; bump it whenever the features change (online state is keyed by name and version). */
  readonly version: number;
  /** The entity the view describes (events' entityId), e.g. `learner`. */
  readonly entity: string;
  /** Event types the view reads. */
  readonly sources: readonly string[];
  /** Attribute types of the source events; required when a feature or condition reads `attributes.*`. */
  readonly schema?: EventSchema;
  readonly features: readonly FeatureDefinition[];
  readonly description?: string;
}

/**
 * Value type of a feature's output: `counts` — bucket counts, a `readonly number[]` (histogram);
 * `ranking` — `readonly { value: string; count: number }[]`, most frequent first (topK).
 */
export type FeatureValueType = 'number' | 'string' | 'counts' | 'ranking';

/** A validated, frozen view (what `defineFeatureView` returns). */
export interface FeatureView extends FeatureViewDefinition {
  readonly features: readonly FeatureDefinition[];
  /** Output type of each feature, by name. */
  readonly valueTypes: Readonly<Record<string, FeatureValueType>>;
  /** Short hash of the definition; state written under another fingerprint is discarded. */
  readonly fingerprint: string;
  /** `name@version`. */
  readonly key: string;
}

/** number, string, bucket counts (histogram), a ranking (topK), or null. */
export type FeatureValue = AggregationValue;

export interface ViewValues {
  readonly version: number;
  readonly values: Record<string, FeatureValue>;
  /** Milliseconds from the newest event that contributed to each value to the as-of time; null if none did. */
  readonly freshness: Record<string, number | null>;
}

/** evaluate()'s result: view name -> values. */
export type FeatureValues = Record<string, ViewValues>;
