import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createHttpMetrics, ensureDefaultMetrics } from '@pulse/observability';
import { createTrainingServiceMetrics } from '@pulse/training-service';

// Grafana can't run here (no Docker), so at least keep the models dashboard honest: every pulse_*
// series it queries must be one training-service exports.
const repo = join(__dirname, '..', '..', '..');
const exported = (() => {
  const registry = new Registry();
  createTrainingServiceMetrics(registry);
  createHttpMetrics(registry);
  ensureDefaultMetrics(registry);
  return new Set(registry.getMetricsAsArray().map((m) => m.name));
})();

function queriedPulseMetrics(text: string): string[] {
  const names = text.match(/pulse_[a-z_]+/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')))];
}

describe('deploy/ queries only metrics training-service exports', () => {
  it('deploy/grafana/dashboards/models.json', () => {
    const names = queriedPulseMetrics(readFileSync(join(repo, 'deploy/grafana/dashboards/models.json'), 'utf8'));
    expect(names).toEqual(
      expect.arrayContaining([
        'pulse_training_jobs_total',
        'pulse_training_job_duration_seconds',
        'pulse_training_jobs_running',
        'pulse_model_registered_versions_total',
        'pulse_model_alias_moves_total',
        'pulse_model_test_metric',
        'pulse_training_requests_dead_lettered_total',
        'pulse_training_set_rows',
      ]),
    );
    // models.json's monitoring panels are monitoring-service's (its own deploy spec checks them).
    expect(names.filter((n) => !exported.has(n) && !n.startsWith('pulse_monitoring_'))).toEqual([]);
  });

  it('labels each metric as the dashboard selects it', () => {
    const registry = new Registry();
    const metrics = createTrainingServiceMetrics(registry);
    const labels = (m: { labelNames?: readonly string[] }) => [...(m.labelNames ?? [])].sort();
    const byName = new Map(
      registry.getMetricsAsArray().map((m) => [m.name, m as unknown as { labelNames?: string[] }]),
    );
    expect(labels(byName.get('pulse_training_jobs_total')!)).toEqual(['model', 'outcome']);
    expect(labels(byName.get('pulse_training_job_duration_seconds')!)).toEqual(['model']);
    expect(labels(byName.get('pulse_model_alias_moves_total')!)).toEqual(['alias', 'model']);
    expect(labels(byName.get('pulse_model_test_metric')!)).toEqual(['metric', 'model', 'version']);
    expect(labels(byName.get('pulse_training_requests_dead_lettered_total')!)).toEqual(['reason']);
    expect(labels(byName.get('pulse_training_set_rows')!)).toEqual(['model', 'split']);
    expect(metrics.jobsRunning).toBeDefined();
  });
});
