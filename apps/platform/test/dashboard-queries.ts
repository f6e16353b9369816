import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// What Grafana would send to Prometheus for each panel of a provisioned dashboard: the panel's
// targets with the dashboard's template variables and Grafana's built-in ones substituted.

interface Target {
  readonly refId?: string;
  readonly expr?: string;
}

interface Panel {
  readonly title?: string;
  readonly type?: string;
  readonly repeat?: string;
  readonly targets?: readonly Target[];
  /** A row's panels. */
  readonly panels?: readonly Panel[];
}

export interface Variable {
  readonly name: string;
  readonly type: string;
  readonly query?: string | { readonly query?: string };
  readonly includeAll?: boolean;
  readonly allValue?: string;
  readonly current?: { readonly value?: string | readonly string[] };
}

export interface Dashboard {
  readonly file: string;
  readonly title: string;
  readonly time?: { readonly from?: string };
  readonly panels: readonly Panel[];
  readonly templating?: { readonly list?: readonly Variable[] };
}

/** One target of one panel, as written in the dashboard. */
export interface PanelQuery {
  readonly file: string;
  readonly dashboard: string;
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
  /** The variable the panel repeats over (one copy per value). */
  readonly repeat?: string;
}

/** A panel query with every variable replaced: what Prometheus is asked. */
export interface ConcreteQuery extends PanelQuery {
  /** The panel title as shown (variables replaced). */
  readonly shown: string;
  readonly concrete: string;
}

export function readDashboards(dir: string): Dashboard[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ ...(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Omit<Dashboard, 'file'>), file }));
}

function flatten(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...flatten(p.panels ?? [])]);
}

export function panelQueries(dashboard: Dashboard): PanelQuery[] {
  return flatten(dashboard.panels).flatMap((p) =>
    (p.targets ?? [])
      .filter((t): t is Target & { expr: string } => typeof t.expr === 'string' && t.expr.trim() !== '')
      .map((t) => ({
        file: dashboard.file,
        dashboard: dashboard.title,
        panel: p.title ?? '(untitled)',
        refId: t.refId ?? 'A',
        expr: t.expr,
        ...(p.repeat ? { repeat: p.repeat } : {}),
      })),
  );
}

/** `label_values(selector, label)` or `label_values(label)`: the selector (if any) and the label. */
export function labelValuesQuery(variable: Variable): { match?: string; label: string } {
  const text = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
  const m = /^\s*label_values\(\s*(?:(.+?)\s*,\s*)?(\w+)\s*\)\s*$/.exec(text);
  if (!m) throw new Error(`variable ${variable.name}: only label_values(…) queries are resolved here, not "${text}"`);
  return { ...(m[1] ? { match: m[1] } : {}), label: m[2] };
}

/** The values a custom, constant or interval variable offers (a query variable's come from Prometheus). */
export function staticValues(variable: Variable): string[] {
  const text = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
  return text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/** `now-6h` -> `6h`: the dashboard's default range, as Grafana's $__range. */
function rangeOf(dashboard: Dashboard): string {
  return /^now-(\d+[smhdwy])$/.exec(dashboard.time?.from ?? '')?.[1] ?? '1h';
}

const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
const seconds = (d: string) => Number(d.slice(0, -1)) * SECONDS[d.slice(-1)];

/**
 * Grafana's built-ins for the dashboard's default range: $__rate_interval is 1m (four times the
 * Prometheus datasource's default 15 s scrape interval), $__interval that scrape interval.
 */
export function builtins(dashboard: Dashboard): Record<string, string> {
  const range = rangeOf(dashboard);
  return {
    __rate_interval: '1m',
    __interval: '15s',
    __interval_ms: '15000',
    __range: range,
    __range_s: String(seconds(range)),
    __range_ms: String(seconds(range) * 1000),
  };
}

/**
 * The value a variable takes in a query as Grafana substitutes it: "All" selected becomes the
 * allValue (or every value as an alternation), several values an alternation, one value itself.
 */
export function substitution(variable: Variable, values: readonly string[]): string {
  const current = variable.current?.value;
  const selected = current === undefined ? [] : Array.isArray(current) ? current : [current as string];
  const all = selected.length === 0 || selected.includes('$__all');
  if (all && variable.includeAll) return variable.allValue ?? `(${values.join('|')})`;
  const chosen = all ? values.slice(0, 1) : selected;
  return chosen.length === 1 ? chosen[0] : `(${chosen.join('|')})`;
}

function replaceVariables(text: string, lookup: (name: string) => string | undefined): string {
  return text.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (whole, a, b, c) => lookup(a ?? b ?? c) ?? whole);
}

/**
 * Every query of the dashboard made concrete: variables by `substitution`, a repeated panel once
 * per value of its variable (as Grafana repeats it). `values` holds each variable's values.
 */
export function concreteQueries(dashboard: Dashboard, values: ReadonlyMap<string, readonly string[]>): ConcreteQuery[] {
  const variables = new Map((dashboard.templating?.list ?? []).map((v) => [v.name, v]));
  const fixed = builtins(dashboard);
  return panelQueries(dashboard).flatMap((q) => {
    const copies = q.repeat ? (values.get(q.repeat) ?? []).map((v) => ({ [q.repeat!]: v })) : [{}];
    return copies.map((copy: Record<string, string>) => {
      const lookup = (name: string) => {
        if (name in copy) return copy[name];
        if (name in fixed) return fixed[name];
        const variable = variables.get(name);
        return variable ? substitution(variable, values.get(name) ?? []) : undefined;
      };
      return { ...q, shown: replaceVariables(q.panel, lookup), concrete: replaceVariables(q.expr, lookup) };
    });
  });
}
