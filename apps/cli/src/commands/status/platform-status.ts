import type { PulseServiceName } from '@pulse/contracts';
import { experimentCounts, firingAlerts, type AlertStatus } from './alert-status';
import { consumerLag, type ConsumerLag } from './consumer-lag';
import { httpGet, jsonBody } from './http-get';
import { newestClosedWindow, registryModels, servedModels, type ModelStatus } from './model-status';
import { serviceHealth, type ServiceHealth } from './service-health';
import type { StatusTarget } from './status-targets';

export interface ServiceStatus extends StatusTarget, ServiceHealth {
  /** Summed `*_consumer_lag` gauges of its /metrics; null when it reports none or /metrics was not read. */
  readonly lag: ConsumerLag | null;
  /** Why /metrics could not be read from a service that answered /health. */
  readonly lagError?: string;
}

/** What `pulse status` prints (`--json`: exactly this). */
export interface PlatformStatus {
  /** Every service is up: the command's exit code is 0 exactly then. */
  readonly healthy: boolean;
  readonly services: readonly ServiceStatus[];
  /** The models training-service declares and inference-service serves, registry's order first. */
  readonly models: readonly ModelStatus[];
  /** The firing alerts; null when monitoring-service could not be read (see errors). */
  readonly alerts: readonly AlertStatus[] | null;
  /** null when experiment-service could not be read (see errors). */
  readonly experiments: { readonly running: number; readonly total: number } | null;
  /** What could not be read, one line each, e.g. `alerts: monitoring-service unreachable (connection refused)`. */
  readonly errors: readonly string[];
}

type Read = { readonly body: unknown } | { readonly error: string; readonly status?: number };

/**
 * Asks every target, each request waiting at most `timeoutMs`: health, /metrics, the models'
 * aliases, the open alerts and the experiments at once (a failed /health then asks /health/live),
 * then each model's monitoring view — at most three timeouts in all. A service that does not answer
 * shows as unreachable and the sections it feeds as not read; nothing here throws for it.
 */
export async function platformStatus(targets: readonly StatusTarget[], timeoutMs: number): Promise<PlatformStatus> {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new RangeError(`timeoutMs: expected a positive number of milliseconds, got ${timeoutMs}`);
  const urlOf = (name: PulseServiceName) => targets.find((t) => t.name === name)?.url;
  const read = async (name: PulseServiceName, path: string): Promise<Read> => {
    const base = urlOf(name);
    if (base === undefined) return { error: `${name} not asked` };
    const answer = await httpGet(`${base}${path}`, timeoutMs);
    if (!answer.ok) return { error: `${name} unreachable (${answer.error})` };
    if (answer.status !== 200) return { error: `${name} GET ${path}: HTTP ${answer.status}`, status: answer.status };
    const body = jsonBody(answer);
    return body === undefined ? { error: `${name} GET ${path}: not JSON` } : { body };
  };

  const [services, registry, serving, alertsRead, experimentsRead] = await Promise.all([
    Promise.all(targets.map((t) => serviceStatus(t, timeoutMs))),
    read('training-service', '/v1/models'),
    read('inference-service', '/v1/models'),
    read('monitoring-service', '/v1/alerts?firing=true'),
    read('experiment-service', '/v1/experiments'),
  ]);
  const errors: string[] = [];
  const parsed = <T>(section: string, r: Read, parse: (body: unknown) => T | null): T | null => {
    if ('error' in r) {
      errors.push(`${section}: ${r.error}`);
      return null;
    }
    const value = parse(r.body);
    if (value === null) errors.push(`${section}: not the expected answer`);
    return value;
  };
  const registered = parsed('aliases', registry, registryModels);
  const served = parsed('served models', serving, servedModels);
  const alerts = parsed('alerts', alertsRead, firingAlerts);
  const experiments = parsed('experiments', experimentsRead, experimentCounts);

  const names = [...new Set([...(registered ?? []), ...(served ?? [])].map((m) => m.name))];
  const monitoringDown = services.find((s) => s.name === 'monitoring-service')?.state === 'unreachable';
  const models = await Promise.all(
    names.map(async (name): Promise<ModelStatus> => {
      const base = {
        name,
        aliases: registered === null ? null : (registered.find((m) => m.name === name)?.aliases ?? {}),
        served: served === null ? null : (served.find((m) => m.name === name)?.aliases ?? {}),
      };
      if (monitoringDown || urlOf('monitoring-service') === undefined)
        return { ...base, quality: null, qualityNote: 'monitoring-service not read' };
      const view = await read('monitoring-service', `/v1/monitoring/${encodeURIComponent(name)}`);
      if ('error' in view)
        return { ...base, quality: null, qualityNote: view.status === 404 ? 'not watched' : view.error };
      const quality = newestClosedWindow(view.body);
      const windows = (view.body as { windows?: unknown[] } | null)?.windows;
      const note = Array.isArray(windows) && windows.length > 0 ? 'no closed window yet' : 'no predictions yet';
      return quality ? { ...base, quality } : { ...base, quality: null, qualityNote: note };
    }),
  );
  return {
    healthy: services.length > 0 && services.every((s) => s.state === 'up'),
    services,
    models,
    alerts,
    experiments,
    errors,
  };
}

async function serviceStatus(target: StatusTarget, timeoutMs: number): Promise<ServiceStatus> {
  const [health, metrics] = await Promise.all([
    serviceHealth(target.url, timeoutMs),
    httpGet(`${target.url}/metrics`, timeoutMs),
  ]);
  const base = { ...target, ...health };
  if (health.state === 'unreachable') return { ...base, lag: null };
  if (!metrics.ok) return { ...base, lag: null, lagError: metrics.error };
  if (metrics.status !== 200) return { ...base, lag: null, lagError: `HTTP ${metrics.status}` };
  return { ...base, lag: consumerLag(metrics.text) };
}
