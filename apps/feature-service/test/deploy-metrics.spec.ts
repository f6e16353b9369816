import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { ensureDefaultMetrics } from '@pulse/observability';
import { createFsMetrics } from '@pulse/feature-service';

// The Grafana dashboard and the Prometheus alert rules can't run here (no Docker), so at least keep
// them honest: every pulse_* series they query must be one the service exports.
const repo = join(__dirname, '..', '..', '..');
const exported = (() => {
  const registry = new Registry();
  createFsMetrics(registry);
  ensureDefaultMetrics(registry);
  return new Set(registry.getMetricsAsArray().map((m) => m.name));
})();

function queriedPulseMetrics(text: string): string[] {
  const names = text.match(/pulse_[a-z_]+/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')))];
}

describe('deploy/ queries only metrics the feature service exports', () => {
  const files = ['deploy/grafana/dashboards/feature-service.json', 'deploy/prometheus/alert-rules.yml'];
  it.each(files)('%s', (file) => {
    const names = queriedPulseMetrics(readFileSync(join(repo, file), 'utf8'));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !exported.has(n))).toEqual([]);
  });
});
