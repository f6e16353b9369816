import type { EntityState } from '@pulse/features';
import type { RedisOnlineStore } from '@pulse/redis-store';
import type { FeatureAnswer, Truth } from './truth';

/**
 * GET /v1/features/{id}?at=<its watermark> for every learner of the truth (a few requests at a time):
 * at or after the newest event, the service must answer from the online state.
 */
export async function readOnlineAnswers(
  baseUrl: string,
  truth: Truth,
  concurrency = 8,
): Promise<Map<string, FeatureAnswer>> {
  const ids = [...truth.states].filter(([, s]) => s.w !== null).map(([id]) => id);
  const out = new Map<string, FeatureAnswer>();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      const at = new Date(truth.states.get(id)!.w!).toISOString();
      const res = await fetch(`${baseUrl}/v1/features/${encodeURIComponent(id)}?at=${encodeURIComponent(at)}`, {
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      let body: { path?: string; watermark?: string | null; views?: unknown } = {};
      try {
        body = JSON.parse(text);
      } catch {
        body = {};
      }
      out.set(id, { status: res.status, path: body.path, watermark: body.watermark, views: body.views });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/** The stored states of the truth's learners, read from Redis and decoded by the product's codec. */
export async function readRedisStates(store: RedisOnlineStore, truth: Truth): Promise<Map<string, EntityState>> {
  const ids = [...truth.states.keys()];
  const out = new Map<string, EntityState>();
  for (let i = 0; i < ids.length; i += 500) {
    const got = await store.getStates(ids.slice(i, i + 500));
    for (const [id, stored] of got) out.set(id, stored.state);
  }
  return out;
}

export interface MetricSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of one metric in a Prometheus text exposition. */
export function metricSamples(text: string, name: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const part of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[part[1]] = part[2];
    out.push({ labels, value: Number(m[4]) });
  }
  return out;
}

export async function getMetrics(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`GET /metrics: ${res.status}`);
  return res.text();
}

export interface HealthAnswer {
  readonly httpStatus: number;
  readonly status: string;
  /** Each dependency's status (up / down) as /health reports it. */
  readonly deps: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** GET /health: the overall status and each dependency's, whatever section (info, error, details) names it. */
export async function getHealth(baseUrl: string, timeoutMs = 10_000): Promise<HealthAnswer> {
  const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { raw: text };
  }
  const deps: Record<string, string> = {};
  for (const section of ['info', 'error', 'details']) {
    const s = body[section];
    if (s && typeof s === 'object') {
      for (const [k, v] of Object.entries(s as Record<string, { status?: string }>))
        if (typeof v?.status === 'string') deps[k] = v.status;
    }
  }
  return { httpStatus: res.status, status: String(body.status ?? ''), deps, body };
}
