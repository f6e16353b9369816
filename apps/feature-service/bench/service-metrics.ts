// Reads the service's prom-client registry: the consumed counter (for pacing and the end of the run)
// and the latency histograms (where the batch time goes).
import type { Registry } from 'prom-client';

interface MetricJson {
  name: string;
  type: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}

export async function counterTotal(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = (await metric.get()) as unknown as MetricJson;
  return values.reduce((a, v) => a + v.value, 0);
}

export interface OpTiming {
  readonly metric: string;
  readonly op: string;
  readonly count: number;
  readonly seconds: number;
}

/** Sum and count of a histogram, per value of `label` ('' when it has none). */
export async function histogramTotals(registry: Registry, name: string, label = 'op'): Promise<OpTiming[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return [];
  const { values } = (await metric.get()) as unknown as MetricJson;
  const byOp = new Map<string, { count: number; seconds: number }>();
  for (const v of values) {
    const op = String(v.labels[label] ?? '');
    const entry = byOp.get(op) ?? { count: 0, seconds: 0 };
    if (v.metricName === `${name}_sum`) entry.seconds += v.value;
    else if (v.metricName === `${name}_count`) entry.count += v.value;
    byOp.set(op, entry);
  }
  return [...byOp].map(([op, e]) => ({ metric: name, op, ...e }));
}

/** `after - before`, matched by metric and op. */
export function diffTimings(before: readonly OpTiming[], after: readonly OpTiming[]): OpTiming[] {
  return after.map((a) => {
    const b = before.find((x) => x.metric === a.metric && x.op === a.op);
    return { ...a, count: a.count - (b?.count ?? 0), seconds: a.seconds - (b?.seconds ?? 0) };
  });
}
