import { httpGet, jsonBody } from './http-get';

/**
 * up: GET /health answers 200. degraded: /health reports a failing check while /health/live answers
 * 200 (the process serves; a dependency fails). down: it answers, but is neither. unreachable: no
 * answer in time.
 */
export type ServiceState = 'up' | 'degraded' | 'down' | 'unreachable';

export interface HealthCheck {
  readonly name: string;
  /** As the service reported it: `up` or `down`. */
  readonly status: string;
  readonly detail?: string;
}

export interface ServiceHealth {
  readonly state: ServiceState;
  /** Each check of the service's health report, in its order. */
  readonly checks: readonly HealthCheck[];
  /** Why the service could not be asked, or what was wrong with its answer. */
  readonly error?: string;
}

export async function serviceHealth(baseUrl: string, timeoutMs: number): Promise<ServiceHealth> {
  const answer = await httpGet(`${baseUrl}/health`, timeoutMs);
  if (!answer.ok) return { state: 'unreachable', checks: [], error: answer.error };
  const body = jsonBody(answer);
  const checks = healthChecks(body);
  if (answer.status === 200 && body !== undefined) return { state: 'up', checks };
  const error = body === undefined ? `HTTP ${answer.status}, not a health report` : `HTTP ${answer.status}`;
  // A failing dependency is not a dead process: liveness tells the two apart.
  const live = await httpGet(`${baseUrl}/health/live`, timeoutMs);
  const alive = live.ok && live.status === 200;
  return { state: alive && failingChecks(checks).length > 0 ? 'degraded' : 'down', checks, error };
}

/** The checks of a Terminus health report: `{ status, details: { name: { status, message? } } }`. */
export function healthChecks(body: unknown): HealthCheck[] {
  const details = (body as { details?: unknown } | null | undefined)?.details;
  if (typeof details !== 'object' || details === null) return [];
  return Object.entries(details as Record<string, unknown>).map(([name, value]) => {
    const v = (value ?? {}) as Record<string, unknown>;
    const detail = typeof v.message === 'string' ? v.message : typeof v.reason === 'string' ? v.reason : undefined;
    return { name, status: typeof v.status === 'string' ? v.status : 'unknown', ...(detail ? { detail } : {}) };
  });
}

/** The checks that are not `up`, which is what a degraded or down service is shown with first. */
export function failingChecks(checks: readonly HealthCheck[]): HealthCheck[] {
  return checks.filter((c) => c.status !== 'up');
}
