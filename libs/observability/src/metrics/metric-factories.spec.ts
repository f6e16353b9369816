import { Registry } from 'prom-client';
import { counter, ensureDefaultMetrics, gauge, histogram, timed } from './metric-factories';
import { createFeatureServiceMetrics } from './service-metrics';

async function sampleOf(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  // Histogram samples carry their own name (x_bucket, x_sum, x_count) under the metric x.
  const values = (await registry.getMetricsAsJSON()).flatMap((m) =>
    m.values.map((v) => ({ ...v, name: (v as { metricName?: string }).metricName ?? m.name })),
  );
  const found = values.find(
    (v) => v.name === name && Object.entries(labels).every(([k, x]) => String(v.labels[k]) === x),
  );
  return found?.value;
}

describe('metric factories', () => {
  it('return the already registered metric for the same name', () => {
    const registry = new Registry();
    const a = counter(registry, { name: 'x_total', help: 'x' });
    expect(counter(registry, { name: 'x_total', help: 'x' })).toBe(a);
    expect(registry.getMetricsAsArray()).toHaveLength(1);
  });

  it('refuse a name already used by another metric type', () => {
    const registry = new Registry();
    gauge(registry, { name: 'y', help: 'y' });
    expect(() => counter(registry, { name: 'y', help: 'y' })).toThrow(
      'metric y is already registered as a different type',
    );
  });

  it('give histograms the latency buckets unless told otherwise', async () => {
    const registry = new Registry();
    histogram(registry, { name: 'h_seconds', help: 'h' }).observe(0.0003);
    histogram(registry, { name: 'n', help: 'n', buckets: [1, 2] }).observe(1.5);
    expect(await sampleOf(registry, 'h_seconds_bucket', { le: '0.0005' })).toBe(1);
    expect(await sampleOf(registry, 'h_seconds_bucket', { le: '0.00025' })).toBe(0);
    expect(await sampleOf(registry, 'n_bucket', { le: '2' })).toBe(1);
  });
});

describe('timed', () => {
  it('records the duration of a successful call and returns its value', async () => {
    const registry = new Registry();
    const h = histogram<'op'>(registry, { name: 'op_seconds', help: 'op', labelNames: ['op'] });
    const value = await timed(h, () => new Promise<number>((r) => setTimeout(() => r(42), 20)), { op: 'wait' });
    expect(value).toBe(42);
    expect(await sampleOf(registry, 'op_seconds_count', { op: 'wait' })).toBe(1);
    expect(await sampleOf(registry, 'op_seconds_sum', { op: 'wait' })).toBeGreaterThanOrEqual(0.015);
  });

  it('records a call that throws, with labels chosen by outcome, and rethrows', async () => {
    const registry = new Registry();
    const h = histogram<'ok'>(registry, { name: 'f_seconds', help: 'f', labelNames: ['ok'] });
    await expect(
      timed(
        h,
        () => Promise.reject(new Error('boom')),
        (ok) => ({ ok: String(ok) }),
      ),
    ).rejects.toThrow('boom');
    await expect(
      timed(
        h,
        () => 1,
        (ok) => ({ ok: String(ok) }),
      ),
    ).resolves.toBe(1);
    expect(await sampleOf(registry, 'f_seconds_count', { ok: 'false' })).toBe(1);
    expect(await sampleOf(registry, 'f_seconds_count', { ok: 'true' })).toBe(1);
  });
});

describe('createFeatureServiceMetrics', () => {
  it('registers every feature-service metric once, even when called twice', async () => {
    const registry = new Registry();
    const m = createFeatureServiceMetrics(registry);
    expect(createFeatureServiceMetrics(registry).eventsConsumed).toBe(m.eventsConsumed);
    expect(
      registry
        .getMetricsAsArray()
        .map((x) => (x as unknown as { name: string }).name)
        .sort(),
    ).toEqual([
      'pulse_batch_duration_seconds',
      'pulse_batch_size',
      'pulse_consumer_lag',
      'pulse_events_consumed_total',
      'pulse_events_duplicate_total',
      'pulse_events_rejected_total',
      'pulse_http_request_duration_seconds',
      'pulse_postgres_op_duration_seconds',
      'pulse_redis_op_duration_seconds',
    ]);
  });

  it('exposes labelled values in the Prometheus text format', async () => {
    const registry = new Registry();
    const m = createFeatureServiceMetrics(registry);
    m.eventsRejected.inc({ reason: 'unknown_event_type' }, 2);
    m.consumerLag.set({ topic: 'engagement.events.v1', partition: '3' }, 17);
    const text = await registry.metrics();
    expect(text).toContain('pulse_events_rejected_total{reason="unknown_event_type"} 2');
    expect(text).toContain('pulse_consumer_lag{topic="engagement.events.v1",partition="3"} 17');
  });
});

describe('ensureDefaultMetrics', () => {
  it('adds the process metrics once per registry', async () => {
    const registry = new Registry();
    ensureDefaultMetrics(registry);
    ensureDefaultMetrics(registry);
    const text = await registry.metrics();
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});
