/** An experiment as stored: its current definition (JSON, GrowthBook-shaped) and version. */
export interface StoredExperiment {
  readonly key: string;
  readonly version: number;
  readonly status: string;
  readonly definition: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ExperimentVersionRecord {
  readonly key: string;
  readonly version: number;
  readonly definition: Readonly<Record<string, unknown>>;
  readonly actor: string;
  readonly changedAt: string;
}

/** An outbox row to publish on experiments.changes.v1. */
export interface PendingExperimentChange extends ExperimentVersionRecord {
  readonly id: string;
}

export interface ExposureRecord {
  readonly experimentKey: string;
  readonly unitId: string;
  readonly variant: string;
  readonly exposureId: string;
  readonly exposedAtMs: number;
}

/** How a unit's metric value is computed in SQL (see @pulse/experiments MetricKind). */
export interface MetricQuery {
  readonly kind: 'conversion' | 'count' | 'sum' | 'mean';
  readonly eventType: string;
  readonly attribute?: string;
  readonly windowMs: number;
}

/**
 * Per variant: the metric's sufficient statistics over units with a value, and for the CUPED
 * covariate (the same metric over the window before exposure) its sums and the cross product.
 */
export interface VariantMetricStats {
  readonly variant: string;
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
  readonly sumPre: number;
  readonly sumPreSquares: number;
  readonly sumProduct: number;
}

/** A write's view of the world: the experiment as it is (null when new) and every other one. */
export type ExperimentMutation = (
  current: StoredExperiment | null,
  others: readonly StoredExperiment[],
) => Readonly<Record<string, unknown>>;
