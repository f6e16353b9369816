/**
 * Counts of a numeric field over declared bucket edges e0 < e1 < … < e(m−1): m + 1 buckets, bucket 0
 * the underflow (−∞, e0), bucket i = [e(i−1), e(i)), bucket m the overflow [e(m−1), +∞). A value
 * equal to an edge falls in the bucket the edge starts. Events without the field, or with a
 * non-finite value, are not counted (booleans count as 0/1, mapped strings as their number).
 * Partial: [n, t, c0, …, cm], the bucket counts inline (plain integers: exact and order-free).
 */
import { defineAccumulator, defineAggregation, option } from './aggregation.types';

export const MAX_EDGES = 64;

interface HistogramConfig {
  readonly edges: readonly number[];
}

const histogramAccumulator = defineAccumulator<HistogramConfig, { edges: readonly number[] }>({
  kind: 'histogram',
  reads: 'number',
  config: (f) => ({ edges: [...(f.edges ?? [])] }),
  signature: (f) => f.edges,
  width: (acc) => 3 + acc.config.edges.length,
  update(acc, a, o, _n, _t, _id, v) {
    (a[o + 2 + bucketOf(acc.config.edges, v as number)] as number)++;
    return true;
  },
  start(acc, a, p, _base, out) {
    const n = acc.config.edges.length + 1;
    for (let b = 0; b < n; b++) out[2 + b] = a[p + 2 + b];
  },
  merge(acc, a, p, _base, _t, _newest, out) {
    const n = acc.config.edges.length + 1;
    for (let b = 0; b < n; b++) (out[2 + b] as number) += a[p + 2 + b] as number;
  },
});

/** The number of edges ≤ v (binary search): v's bucket. */
export function bucketOf(edges: readonly number[], v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const edgesOption = option<readonly number[]>({
  required: true,
  describe: `a list of 1 to ${MAX_EDGES} finite, strictly increasing numbers (the bucket edges)`,
  check(v) {
    if (!Array.isArray(v) || v.length === 0 || v.length > MAX_EDGES)
      return `edges must be a list of 1 to ${MAX_EDGES} numbers, got ${Array.isArray(v) ? `${v.length} items` : JSON.stringify(v)}`;
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== 'number' || !Number.isFinite(v[i]))
        return `edges[${i}] must be a finite number, got ${String(v[i])}`;
      if (i > 0 && !(v[i] > v[i - 1]))
        return `edges must be strictly increasing: edges[${i}] = ${v[i]} is not above edges[${i - 1}] = ${v[i - 1]}`;
    }
    return undefined;
  },
});

/** Bucket counts, edges.length + 1 of them (under- and overflow included). Empty: all 0. */
export const histogram = defineAggregation({
  name: 'histogram',
  field: 'numeric',
  options: { edges: edgesOption },
  accumulator: histogramAccumulator,
  windowed: true,
  asOf: 'tiles',
  valueType: () => 'counts',
  value(found, p, o, f): readonly number[] {
    const n = (f.acc!.config as HistogramConfig).edges.length + 1;
    const counts = new Array<number>(n);
    for (let b = 0; b < n; b++) counts[b] = found ? (p[o + 2 + b] as number) : 0;
    return counts;
  },
});
