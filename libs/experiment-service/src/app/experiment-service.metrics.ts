import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { counter, gauge, histogram } from '@pulse/observability';

/** What experiment-service exports besides the HTTP and process metrics (deploy/grafana/dashboards/experiments.json). */
export interface ExperimentServiceMetrics {
  /** Exposures published by the assignments API, by experiment and variant. */
  readonly exposuresPublished: Counter<'experiment' | 'variant'>;
  /** Exposure records consumed; outcome: new (a unit's first), repeat, rejected. */
  readonly exposuresConsumed: Counter<'outcome'>;
  /** Units exposed per experiment and variant, as of the last results computed. */
  readonly exposedUnits: Gauge<'experiment' | 'variant'>;
  /** The SRM chi-square test's p-value per experiment, as of the last results computed. */
  readonly srmPValue: Gauge<'experiment'>;
  readonly resultsSeconds: Histogram<'experiment'>;
  readonly changesPublished: Counter;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
}

export function createExperimentServiceMetrics(registry: Registry): ExperimentServiceMetrics {
  return {
    exposuresPublished: counter(registry, {
      name: 'pulse_experiment_exposures_published_total',
      help: 'Exposures published by the assignments API, by experiment and variant',
      labelNames: ['experiment', 'variant'],
    }),
    exposuresConsumed: counter(registry, {
      name: 'pulse_experiment_exposures_consumed_total',
      help: 'Exposure records consumed: new (a unit first exposed), repeat, rejected',
      labelNames: ['outcome'],
    }),
    exposedUnits: gauge(registry, {
      name: 'pulse_experiment_exposed_units',
      help: 'Units exposed per experiment and variant, as of the last results computed',
      labelNames: ['experiment', 'variant'],
    }),
    srmPValue: gauge(registry, {
      name: 'pulse_experiment_srm_p_value',
      help: 'Sample ratio mismatch chi-square p-value per experiment (flagged below 0.001)',
      labelNames: ['experiment'],
    }),
    resultsSeconds: histogram(registry, {
      name: 'pulse_experiment_results_seconds',
      help: 'Time to compute an experiment’s results (sufficient statistics in Postgres, then the tests)',
      labelNames: ['experiment'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30],
    }),
    changesPublished: counter(registry, {
      name: 'pulse_experiment_changes_published_total',
      help: 'Experiment changes published to experiments.changes.v1',
    }),
    consumerLag: gauge(registry, {
      name: 'pulse_experiment_consumer_lag',
      help: 'Exposure records not yet consumed, per partition',
      labelNames: ['topic', 'partition'],
    }),
  };
}
