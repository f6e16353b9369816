// What a deploy spec needs to read the PromQL of dashboards and alert rules, and a service's
// /metrics text, without Prometheus: selectors and their label matchers, grouping labels, scraped
// samples, and which selector a sample answers.
import { Registry } from 'prom-client';

/** Labels Prometheus adds to every scraped series (a service does not export them). */
export const TARGET_LABELS: readonly string[] = ['job', 'instance'];
/** The suffixes of a histogram's series: the metric family is the name without them. */
export const HISTOGRAM_PARTS = /_(bucket|sum|count)$/;

export interface Matcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

export interface Selector {
  /** The series name as written (a histogram's _bucket included). */
  readonly series: string;
  /** The metric family: the series name without a histogram suffix. */
  readonly metric: string;
  readonly matchers: Matcher[];
}

/** The pulse_* selectors of a query, in the order written. */
export function selectors(expr: string): Selector[] {
  return [...expr.matchAll(/\b(pulse_[a-z_]+)(?:\{([^}]*)\})?/g)].map(([, series, body]) => ({
    series,
    metric: series.replace(HISTOGRAM_PARTS, ''),
    matchers: [...(body ?? '').matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map(([, label, op, value]) => ({
      label,
      op: op as Matcher['op'],
      value,
    })),
  }));
}

/** Labels named in by / without / on / ignoring clauses. */
export function groupingLabels(expr: string): string[] {
  return [...expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap(([, list]) =>
    list
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

/** The metric families a text's selectors name, once each. */
export const queriedMetrics = (text: string): string[] => [...new Set(selectors(text).map((s) => s.metric))];

/** Each metric a registry holds, by name, with its label names. */
export type MetricLabels = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The metrics a service exports: a fresh registry's after each function registers its own (the
 * service's metrics, the HTTP ones, the defaults), passed in so this module imports no service.
 */
export function exportedMetrics(...register: ((registry: Registry) => unknown)[]): MetricLabels {
  const registry = new Registry();
  for (const r of register) r(registry);
  return new Map(
    registry.getMetricsAsArray().map((m) => {
      const { name, labelNames = [] } = m as unknown as { name: string; labelNames?: string[] };
      return [name, new Set(labelNames)] as const;
    }),
  );
}

/** The labels a series of those metrics can be selected by: its own, the target's, and le on a bucket. */
export function labelsOf(metrics: MetricLabels, series: string): Set<string> {
  const labels = new Set([...(metrics.get(series.replace(HISTOGRAM_PARTS, '')) ?? []), ...TARGET_LABELS]);
  if (series.endsWith('_bucket')) labels.add('le');
  return labels;
}

/** A query of a dashboard panel or an alert rule, with the selectors of the service's series in it. */
export interface QueryRef {
  /** Where it is written, for the problem messages. */
  readonly where: string;
  readonly expr: string;
  readonly legend?: string;
  readonly selectors: readonly Selector[];
}

/**
 * Each selector, grouping and legend label the metrics do not have. Grouping and legends are judged
 * only where every selector of the query is the service's (another's labels are unknown here).
 */
export function labelProblems(queries: readonly QueryRef[], metrics: MetricLabels): string[] {
  const problems: string[] = [];
  for (const { where, expr, legend, selectors: found } of queries) {
    const available = new Set(found.flatMap((s) => [...labelsOf(metrics, s.series)]));
    for (const s of found)
      for (const m of s.matchers)
        if (!labelsOf(metrics, s.series).has(m.label)) problems.push(`${where}: ${s.series} has no label ${m.label}`);
    if (found.length !== selectors(expr).length) continue;
    for (const label of groupingLabels(expr))
      if (!available.has(label)) problems.push(`${where}: groups by ${label}, which no series in it has`);
    // A legend names labels the query's result keeps: those it is grouped by, if it is grouped.
    const kept = groupingLabels(expr).length > 0 ? new Set(groupingLabels(expr)) : available;
    for (const [, label] of (legend ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g))
      if (!kept.has(label)) problems.push(`${where}: legend names ${label}, which the result has not`);
  }
  return problems;
}

/** One scraped sample: the series name, its labels and its value. */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export interface Exposition {
  /** The metric families declared by # TYPE lines. */
  readonly families: Set<string>;
  readonly samples: Sample[];
}

/** Prometheus's text exposition format, as /metrics answers it. */
export function parseExposition(text: string): Exposition {
  const families = new Set([...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map(([, name]) => name));
  const samples = [...text.matchAll(/^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/gm)].map(([, name, body, value]) => ({
    name,
    labels: Object.fromEntries(
      [...(body ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k, v.replace(/\\(.)/g, '$1')]),
    ),
    value: Number(value),
  }));
  return { families, samples };
}

/** Whether a selector selects a sample (target labels and template variables match any value). */
export function matches(selector: Selector, sample: Sample): boolean {
  if (sample.name !== selector.series) return false;
  return selector.matchers.every((m) => {
    if (TARGET_LABELS.includes(m.label) || m.value.includes('$')) return true;
    const actual = sample.labels[m.label] ?? '';
    switch (m.op) {
      case '=':
        return actual === m.value;
      case '!=':
        return actual !== m.value;
      case '=~':
        return new RegExp(`^(?:${m.value})$`).test(actual);
      case '!~':
        return !new RegExp(`^(?:${m.value})$`).test(actual);
    }
  });
}

/** The samples a selector selects. */
export const selected = (scraped: Exposition, selector: Selector): Sample[] =>
  scraped.samples.filter((x) => matches(selector, x));

/** The samples the first selector of a text selects (`pulse_x{label="v"}`). */
export const seriesOf = (scraped: Exposition, selector: string): Sample[] => selected(scraped, selectors(selector)[0]);

/** The sum of the values a selector selects. */
export const sumOf = (scraped: Exposition, selector: Selector | string): number =>
  (typeof selector === 'string' ? seriesOf(scraped, selector) : selected(scraped, selector)).reduce(
    (sum, s) => sum + s.value,
    0,
  );
