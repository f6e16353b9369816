import { timeCall } from '@pulse/core';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type LabelValues,
  type Registry,
} from 'prom-client';

/**
 * Latency buckets in seconds, from 0.1 ms to 10 s: fine enough at the bottom for in-memory and
 * Redis operations, wide enough at the top for a slow database batch.
 */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

// Get-or-create, so a module initialised twice against the same registry (tests, several Nest
// modules asking for the same metric) reuses the metric instead of failing on a duplicate name.
function existing<T>(registry: Registry, name: string, kind: new (...args: never[]) => T): T | undefined {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return undefined;
  if (!(metric instanceof kind)) {
    throw new TypeError(`metric ${name} is already registered as a different type`);
  }
  return metric;
}

export function counter<L extends string = string>(
  registry: Registry,
  config: Omit<CounterConfiguration<L>, 'registers'>,
): Counter<L> {
  return existing(registry, config.name, Counter<L>) ?? new Counter<L>({ ...config, registers: [registry] });
}

export function gauge<L extends string = string>(
  registry: Registry,
  config: Omit<GaugeConfiguration<L>, 'registers'>,
): Gauge<L> {
  return existing(registry, config.name, Gauge<L>) ?? new Gauge<L>({ ...config, registers: [registry] });
}

export function histogram<L extends string = string>(
  registry: Registry,
  config: Omit<HistogramConfiguration<L>, 'registers'>,
): Histogram<L> {
  return (
    existing(registry, config.name, Histogram<L>) ??
    new Histogram<L>({ buckets: [...LATENCY_BUCKETS_SECONDS], ...config, registers: [registry] })
  );
}

/**
 * Runs `fn` and records its duration in seconds, whether it succeeds or throws. `labels` may be a
 * function of the outcome, e.g. to add `ok: "false"` when it threw.
 */
export function timed<T, L extends string = string>(
  metric: Histogram<L>,
  fn: () => T | Promise<T>,
  labels?: LabelValues<L> | ((ok: boolean) => LabelValues<L>),
): Promise<T> {
  return timeCall(fn, (seconds, ok) => {
    const values = typeof labels === 'function' ? labels(ok) : labels;
    if (values === undefined) metric.observe(seconds);
    else metric.observe(values, seconds);
  });
}

const withDefaults = new WeakSet<Registry>();

/** Adds prom-client's process metrics (CPU, memory, event-loop lag, GC) to `registry`, once. */
export function ensureDefaultMetrics(registry: Registry, prefix = ''): void {
  if (withDefaults.has(registry)) return;
  withDefaults.add(registry);
  collectDefaultMetrics({ register: registry, prefix });
}
