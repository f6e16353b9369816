/** An open alert as `pulse status` shows it. */
export interface AlertStatus {
  readonly rule: string;
  readonly model: string;
  /** drift, quality or operational. */
  readonly kind: string;
  readonly value: number | null;
  readonly threshold: number | null;
  /** When it fired (ISO), null when the service did not say. */
  readonly since: string | null;
  readonly message: string;
}

/**
 * monitoring-service's GET /v1/alerts?firing=true: the firing ones, oldest first (the longest-standing
 * on top). Null when the body is not such an answer.
 */
export function firingAlerts(body: unknown): AlertStatus[] | null {
  const list = (body as { alerts?: unknown } | null | undefined)?.alerts;
  if (!Array.isArray(list)) return null;
  return list
    .filter((a): a is Record<string, unknown> => typeof a === 'object' && a !== null && a.firing !== false)
    .map((a) => ({
      rule: String(a.rule ?? ''),
      model: String(a.model ?? ''),
      kind: String(a.kind ?? ''),
      value: finiteOrNull(a.value),
      threshold: finiteOrNull(a.threshold),
      since:
        typeof a.firedAtMs === 'number' && Number.isFinite(a.firedAtMs) ? new Date(a.firedAtMs).toISOString() : null,
      message: String(a.message ?? ''),
    }))
    .sort((a, b) => (a.since ?? '').localeCompare(b.since ?? '') || a.rule.localeCompare(b.rule));
}

/** experiment-service's GET /v1/experiments: how many there are and how many run; null for another body. */
export function experimentCounts(body: unknown): { running: number; total: number } | null {
  const list = (body as { experiments?: unknown } | null | undefined)?.experiments;
  if (!Array.isArray(list)) return null;
  const running = list.filter((e) => (e as { status?: unknown } | null)?.status === 'running').length;
  return { running, total: list.length };
}

const finiteOrNull = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
