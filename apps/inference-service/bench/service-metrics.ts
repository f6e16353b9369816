// Reading a service's /metrics (Prometheus text): counters and histograms, and their change over a phase.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

export async function scrape(baseUrl: string): Promise<Sample[]> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (!res.ok) throw new Error(`GET ${baseUrl}/metrics: HTTP ${res.status}`);
  return parseMetrics(await res.text());
}

const matches = (s: Sample, name: string, labels: Readonly<Record<string, string>>) =>
  s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v);

/** Sum of a counter's (or gauge's) series matching the labels. */
export function total(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  return samples.filter((s) => matches(s, name, labels)).reduce((a, s) => a + s.value, 0);
}

export interface Histogram {
  /** Upper bounds (seconds) with cumulative counts, Infinity last. */
  readonly buckets: readonly (readonly [number, number])[];
  readonly count: number;
  readonly sum: number;
}

export function histogram(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Histogram {
  const byLe = new Map<number, number>();
  for (const s of samples)
    if (matches(s, `${name}_bucket`, labels)) {
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      byLe.set(le, (byLe.get(le) ?? 0) + s.value);
    }
  return {
    buckets: [...byLe].sort((a, b) => a[0] - b[0]),
    count: total(samples, `${name}_count`, labels),
    sum: total(samples, `${name}_sum`, labels),
  };
}

/** after − before, bucket by bucket (the observations of a phase). */
export function delta(before: Histogram, after: Histogram): Histogram {
  const prior = new Map(before.buckets);
  return {
    buckets: after.buckets.map(([le, c]) => [le, c - (prior.get(le) ?? 0)] as const),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/** The share of observations at or under `seconds` (a bucket bound). */
export function shareAtMost(h: Histogram, seconds: number): number {
  const bucket = h.buckets.find(([le]) => Math.abs(le - seconds) < 1e-12);
  if (bucket === undefined) throw new RangeError(`no bucket bound at ${seconds} s`);
  return h.count === 0 ? NaN : bucket[1] / h.count;
}

/** The bucket bound the p-th percentile falls under (an upper bound of it), in ms. */
export function percentileBound(h: Histogram, p: number): number {
  const rank = (p / 100) * h.count;
  for (const [le, c] of h.buckets) if (c >= rank) return le * 1000;
  return Infinity;
}

export function describeHistogram(h: Histogram, boundSeconds: number): string {
  if (h.count === 0) return 'no observations';
  return `mean ${((h.sum / h.count) * 1000).toFixed(2)} ms, p50 <= ${percentileBound(h, 50)} ms, p99 <= ${percentileBound(h, 99)} ms, ${(100 * shareAtMost(h, boundSeconds)).toFixed(2)} % <= ${boundSeconds * 1000} ms (n=${h.count})`;
}
