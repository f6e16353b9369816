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

export type Aggregation =
  | 'count'
  | 'sum'
  | 'mean'
  | 'variance'
  | 'min'
  | 'max'
  | 'first'
  | 'last'
  | 'distinctCount'
  | 'mode'
  | 'currentStreak'
  | 'timeSinceLast'
  | 'ratio';

export const AGGREGATIONS: readonly Aggregation[] = [
  'count',
  'sum',
  'mean',
  'variance',
  'min',
  'max',
  'first',
  'last',
  'distinctCount',
  'mode',
  'currentStreak',
  'timeSinceLast',
  'ratio',
];

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

export interface FeatureDefinition {
  readonly name: string;
  readonly aggregation: Aggregation;
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
  /** Decimal places numeric values are aggregated at (sum/mean/variance are exact at that precision). Default 4. */
  readonly decimals?: number;
  /** For string-valued features: the known categories (used for one-hot encoding in feature vectors). */
  readonly categories?: readonly string[];
  readonly description?: string;
}

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

/** Value type of a feature's output. */
export type FeatureValueType = 'number' | 'string';

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

export type FeatureValue = number | string | null;

export interface ViewValues {
  readonly version: number;
  readonly values: Record<string, FeatureValue>;
  /** Milliseconds from the newest event that contributed to each value to the as-of time; null if none did. */
  readonly freshness: Record<string, number | null>;
}

/** evaluate()'s result: view name -> values. */
export type FeatureValues = Record<string, ViewValues>;
