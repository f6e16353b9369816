import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { counter, gauge, histogram } from '@pulse/observability';

/** What training-service exports besides the HTTP and process metrics (deploy/grafana/dashboards/models.json). */
export interface TrainingServiceMetrics {
  /** outcome: succeeded (registered, quality gates passed), gate_failed (registered, a gate failed), failed (no version). */
  readonly jobs: Counter<'model' | 'outcome'>;
  readonly jobDuration: Histogram<'model'>;
  readonly jobsRunning: Gauge;
  readonly registeredVersions: Counter<'model'>;
  readonly aliasMoves: Counter<'model' | 'alias'>;
  /** The latest version's test metrics (older versions' series are removed as new ones register). */
  readonly testMetric: Gauge<'model' | 'version' | 'metric'>;
  readonly requestsDeadLettered: Counter<'reason'>;
  readonly trainingSetRows: Gauge<'model' | 'split'>;
}

// A job takes seconds on a small log and can take most of an hour on a large one.
const JOB_SECONDS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];

export function createTrainingServiceMetrics(registry: Registry): TrainingServiceMetrics {
  return {
    jobs: counter(registry, {
      name: 'pulse_training_jobs_total',
      help: 'Training jobs finished, by model and outcome (succeeded, gate_failed, failed)',
      labelNames: ['model', 'outcome'],
    }),
    jobDuration: histogram(registry, {
      name: 'pulse_training_job_duration_seconds',
      help: 'Training job run time, from claim to finish, by model',
      labelNames: ['model'],
      buckets: JOB_SECONDS,
    }),
    jobsRunning: gauge(registry, {
      name: 'pulse_training_jobs_running',
      help: 'Training jobs this copy is running now',
    }),
    registeredVersions: counter(registry, {
      name: 'pulse_model_registered_versions_total',
      help: 'Model versions registered by this copy, by model',
      labelNames: ['model'],
    }),
    aliasMoves: counter(registry, {
      name: 'pulse_model_alias_moves_total',
      help: 'Alias moves made by this copy (training jobs and the HTTP API), by model and alias',
      labelNames: ['model', 'alias'],
    }),
    testMetric: gauge(registry, {
      name: 'pulse_model_test_metric',
      help: "Test-split metrics of each model's latest registered version",
      labelNames: ['model', 'version', 'metric'],
    }),
    requestsDeadLettered: counter(registry, {
      name: 'pulse_training_requests_dead_lettered_total',
      help: 'Training requests sent to the DLQ (undecodable, unknown model, ...), by reason',
      labelNames: ['reason'],
    }),
    trainingSetRows: gauge(registry, {
      name: 'pulse_training_set_rows',
      help: "Rows of each split of the model's latest training set",
      labelNames: ['model', 'split'],
    }),
  };
}

/**
 * pulse_model_test_metric for each model's latest version only: showing a newer version removes the
 * series of the one before, so the gauge does not grow a series per version ever registered.
 */
export class LatestTestMetrics {
  private readonly shown = new Map<string, { version: number; metrics: string[] }>();

  constructor(private readonly metric: TrainingServiceMetrics['testMetric']) {}

  show(model: string, version: number, metrics: Readonly<Record<string, number>>): void {
    const before = this.shown.get(model);
    if (before !== undefined && before.version > version) return;
    for (const name of before?.metrics ?? [])
      this.metric.remove({ model, version: String(before!.version), metric: name });
    const names = Object.keys(metrics).filter((name) => Number.isFinite(metrics[name]));
    for (const name of names) this.metric.set({ model, version: String(version), metric: name }, metrics[name]);
    this.shown.set(model, { version, metrics: names });
  }
}
