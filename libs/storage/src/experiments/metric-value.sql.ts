import type { MetricQuery } from './experiment.types';

// The attribute as a number: numbers as they are, booleans as 0/1, anything else left out.
const NUMERIC_ATTRIBUTE = `CASE json_typeof(e.attributes -> $4::text)
    WHEN 'number' THEN (e.attributes ->> $4::text)::float8
    WHEN 'boolean' THEN CASE WHEN (e.attributes ->> $4::text) = 'true' THEN 1 ELSE 0 END END`;

/**
 * One unit's value over its events `e` in a window, per metric kind: one entry per kind, so a new
 * kind is one line here and one in @pulse/experiments.
 */
const UNIT_VALUE: Readonly<Record<MetricQuery['kind'], string>> = {
  conversion: `CASE WHEN count(*) > 0 THEN 1 ELSE 0 END::float8`,
  count: `count(*)::float8`,
  sum: `coalesce(sum(${NUMERIC_ATTRIBUTE}), 0)::float8`,
  mean: `avg(${NUMERIC_ATTRIBUTE})::float8`,
};

/**
 * Sufficient statistics per variant, in Postgres: each exposed unit's value over [first exposure,
 * first exposure + window) capped at the as-of time, and the covariate over the window before the
 * exposure. Parameters: $1 experiment key, $2 event type, $3 window ms, $4 attribute, $5 as-of ms.
 * Units without a value (a mean with no events) are left out; a missing covariate counts as 0.
 */
export function metricStatsSql(kind: MetricQuery['kind']): string {
  const value = UNIT_VALUE[kind];
  return `
    WITH units AS (
      SELECT x.variant,
        (SELECT ${value} FROM event_log e
           WHERE e.entity_id = x.unit_id AND e.event_type = $2
             AND e.event_time_ms >= x.first_exposed_ms
             AND e.event_time_ms < LEAST(x.first_exposed_ms + $3::bigint, $5::bigint)) AS value,
        coalesce((SELECT ${value} FROM event_log e
           WHERE e.entity_id = x.unit_id AND e.event_type = $2
             AND e.event_time_ms >= x.first_exposed_ms - $3::bigint
             AND e.event_time_ms < x.first_exposed_ms), 0) AS pre
      FROM experiment_exposures x
      WHERE x.experiment_key = $1 AND x.first_exposed_ms < $5::bigint
    )
    -- $4 is named here too: kinds without an attribute would otherwise leave its type undetermined.
    SELECT variant, $4::text AS attribute, count(*)::int AS n, coalesce(sum(value), 0) AS sum, coalesce(sum(value * value), 0) AS sum_squares,
      coalesce(sum(pre), 0) AS sum_pre, coalesce(sum(pre * pre), 0) AS sum_pre_squares,
      coalesce(sum(value * pre), 0) AS sum_product
    FROM units WHERE value IS NOT NULL
    GROUP BY variant ORDER BY variant`;
}
