import type { ExperimentDefinition, ExperimentStatus } from './experiment.types';
import type { Fail } from './field-failure';

const STATUSES: readonly ExperimentStatus[] = ['draft', 'running', 'stopped'];
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export interface Lifecycle {
  readonly status: ExperimentStatus;
  readonly version: number;
  readonly metrics: readonly string[];
  /** startAt / endAt in ms since the epoch (unbounded when absent). */
  readonly startMs: number;
  readonly endMs: number;
}

/** Checks Pulse's own fields: name, status, active, start and end, metrics (against `knownMetrics`), version. */
export function checkLifecycle(
  def: ExperimentDefinition,
  knownMetrics: ReadonlySet<string> | undefined,
  fail: Fail,
): Lifecycle {
  if (def.name !== undefined && typeof def.name !== 'string') fail('name', 'must be a string');
  const status = def.status ?? 'running';
  if (!STATUSES.includes(status)) fail('status', `must be one of ${STATUSES.join(', ')}, got ${String(status)}`);
  if (def.active !== undefined && typeof def.active !== 'boolean') fail('active', 'must be true or false');
  const version = def.version ?? 1;
  if (!Number.isInteger(version) || version < 1) fail('version', `must be a positive integer, got ${String(version)}`);

  const startMs = def.startAt === undefined ? -Infinity : instant(def.startAt, 'startAt', fail);
  const endMs = def.endAt === undefined ? Infinity : instant(def.endAt, 'endAt', fail);
  if (endMs <= startMs) fail('endAt', `must be after startAt (${String(def.startAt)}), got ${String(def.endAt)}`);

  const metrics = def.metrics ?? [];
  if (!Array.isArray(metrics)) fail('metrics', 'must be an array of metric names');
  const seen = new Set<string>();
  metrics.forEach((m, i) => {
    if (typeof m !== 'string' || m === '') fail(`metrics[${i}]`, 'must name a metric');
    if (seen.has(m)) fail(`metrics[${i}]`, `"${m}" is listed twice`);
    seen.add(m);
    if (knownMetrics && !knownMetrics.has(m))
      fail(`metrics[${i}]`, `unknown metric "${m}" (known: ${[...knownMetrics].join(', ') || 'none'})`);
  });
  return { status, version, metrics, startMs, endMs };
}

function instant(text: unknown, field: string, fail: Fail): number {
  const ms = typeof text === 'string' && ISO_INSTANT.test(text) && realCalendarDate(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms))
    fail(field, `must be an ISO 8601 instant such as "2025-01-31T00:00:00Z", got ${String(text)}`);
  return ms;
}

/** Date.parse rolls 2026-02-30 over to March; a day or time that does not exist is refused instead. */
function realCalendarDate(text: string): boolean {
  const [y, m, d, h, min, sec] = text.split(/[-T:Z+.]/).map(Number);
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth && h < 24 && min < 60 && !(sec >= 60);
}
