/**
 * A variant's sufficient statistics for one metric: what `SELECT count(*), sum(v), sum(v * v)`
 * gives, so a service can aggregate in Postgres and hand in three numbers per variant.
 */
export interface MetricStats {
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
}

/** For CUPED, the pre-period covariate's sums as well: sum(pre), sum(pre * pre), sum(value * pre). */
export interface CovariateStats extends MetricStats {
  readonly sumPre: number;
  readonly sumPreSquares: number;
  readonly sumProduct: number;
}

/** n, mean and the sample variance (n − 1 denominator). */
export interface VariantSummary {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
}
