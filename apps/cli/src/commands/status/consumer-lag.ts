/** A service's consumer lag: the sum over its `*_consumer_lag` gauges' series (topic × partition). */
export interface ConsumerLag {
  readonly total: number;
  /** The series summed; 0 never happens (no series reads as no lag reported, i.e. null). */
  readonly series: number;
  /** Per topic, summed over partitions. */
  readonly byTopic: Readonly<Record<string, number>>;
}

// `name{labels} value [timestamp]`; label values may hold spaces, braces and escaped quotes.
const SAMPLE = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?\s+(\S+)/;
const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * The consumer lag in a Prometheus text exposition: every sample of a metric named `*_consumer_lag`
 * (feature- and inference-service export pulse_consumer_lag, experiment-service
 * pulse_experiment_consumer_lag, monitoring-service pulse_monitoring_consumer_lag). Null when the
 * exposition has no such sample: the service consumes nothing, or has not measured yet.
 */
export function consumerLag(exposition: string): ConsumerLag | null {
  if (typeof exposition !== 'string') throw new TypeError('exposition: expected the text of a /metrics answer');
  let total = 0;
  let series = 0;
  const byTopic: Record<string, number> = {};
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line.trim());
    if (!m || !m[1].endsWith('_consumer_lag')) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    const topic = labels(m[2] ?? '').topic ?? '';
    total += value;
    series += 1;
    byTopic[topic] = (byTopic[topic] ?? 0) + value;
  }
  return series === 0 ? null : { total, series, byTopic };
}

function labels(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of block.matchAll(LABEL)) out[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return out;
}
