/** Why a unit is not in an experiment. */
export type ExclusionReason =
  | 'inactive' // active: false
  | 'draft'
  | 'not-started' // before startAt
  | 'ended' // at or after endAt
  | 'missing-hash-attribute' // the hash attribute is absent, empty, 0 or false
  | 'filtered-out'
  | 'not-in-namespace'
  | 'condition-failed'
  | 'not-in-coverage' // the hash falls outside every variation's range
  | 'stopped';

/** Fields of GrowthBook's `Result`, so that the two compare field by field. */
interface AssignmentFields<V> {
  /** Variation index; 0 (the control) when not in the experiment. */
  readonly variationId: number;
  readonly value: V;
  /** meta[variationId].key, else the index as text. */
  readonly key: string;
  readonly name?: string;
  readonly passthrough?: boolean;
  /** Whether the variation came from the hash (not from `force`). */
  readonly hashUsed: boolean;
  readonly hashAttribute: string;
  /** The attribute's value as given ("" when absent). */
  readonly hashValue: unknown;
}

export interface InExperiment<V> extends AssignmentFields<V> {
  readonly inExperiment: true;
  /** The unit's hash in [0, 1) (absent when forced). */
  readonly bucket?: number;
}

export interface NotInExperiment<V> extends AssignmentFields<V> {
  readonly inExperiment: false;
  readonly hashUsed: false;
  readonly reason: ExclusionReason;
}

export type Assignment<V = unknown> = InExperiment<V> | NotInExperiment<V>;
