// deploy/ and docker-compose.yml as a deploy spec reads them: as text, with just enough structure
// (panels, alert expressions, one service's compose block, one manifest document) to check a
// service against, since Grafana, Prometheus, Docker and Kubernetes can't run in the tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../process/service-process';
import { selectors, type QueryRef, type Selector } from './prometheus-queries';

/** A file of the repository, by its path from the root. */
export const readRepoFile = (file: string): string => readFileSync(join(REPO_ROOT, file), 'utf8');

interface PanelJson {
  title: string;
  targets?: { expr: string; legendFormat?: string }[];
  panels?: PanelJson[];
}

interface DashboardJson {
  panels: PanelJson[];
  templating?: { list: DashboardVariable[] };
}

export interface DashboardVariable {
  readonly name: string;
  readonly type: string;
  readonly definition?: string;
  readonly query?: unknown;
}

export interface PanelQuery {
  readonly panel: string;
  readonly expr: string;
  readonly legend?: string;
}

/** Every query of a Grafana dashboard's panels (those of rows included), with its panel's title. */
export function dashboardQueries(file: string): PanelQuery[] {
  const dashboard = JSON.parse(readRepoFile(file)) as DashboardJson;
  const panels = (list: PanelJson[]): PanelJson[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
  return panels(dashboard.panels).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr, legend: t.legendFormat })),
  );
}

/** A dashboard's template variables. */
export function dashboardVariables(file: string): DashboardVariable[] {
  return (JSON.parse(readRepoFile(file)) as DashboardJson).templating?.list ?? [];
}

/** Each alert's expression, by alert name (the rule file's `expr:` values, folded or not). */
export function ruleExpressions(file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const block of readRepoFile(file)
    .split(/^\s+- alert: /m)
    .slice(1)) {
    const name = /^\S+/.exec(block)![0];
    const expr = /^\s+expr: (?:>-?\n)?([\s\S]*?)\n\s+(?:for|labels):/m.exec(block)?.[1];
    if (expr === undefined) throw new Error(`rule ${name}: no expr found`);
    out.set(name, expr.replace(/\s+/g, ' ').trim());
  }
  return out;
}

/** A service's block of docker-compose.yml (its indented lines; empty if it has none). */
export function composeBlock(service: string): string {
  return new RegExp(`^  ${service}:\\n((?:    .*\\n|\\n)+)`, 'm').exec(readRepoFile('docker-compose.yml'))?.[1] ?? '';
}

/** The YAML document of a manifest file of one kind (found in the text). */
export function manifestDocument(file: string, kind: string): string {
  const doc = readRepoFile(file)
    .split(/^---$/m)
    .find((text) => new RegExp(`^kind: ${kind}$`, 'm').test(text));
  if (doc === undefined) throw new Error(`${file} has no ${kind}`);
  return doc;
}

/**
 * The variables a configuration loader reads from the environment it is given (and LOG_LEVEL,
 * which the logger reads). `load` is the service's loader applied to that environment, so this
 * module imports no service.
 */
export function variablesRead(load: (env: Record<string, string | undefined>) => unknown): Set<string> {
  const names = new Set(['LOG_LEVEL']);
  const env = new Proxy({} as Record<string, string | undefined>, {
    get: (_, name) => {
      if (typeof name === 'string') names.add(name);
      return undefined;
    },
  });
  load(env);
  return names;
}

/** A dashboard's queries as one text, a line each. */
export const dashboardText = (file: string): string =>
  dashboardQueries(file)
    .map((q) => q.expr)
    .join('\n');

/**
 * Every query of a dashboard and of a rule file, named by panel or alert, with the selectors of the
 * service's series. Where the dashboard also shows other services', `ofService` picks the service's
 * selectors and keeps only the panel queries with one; without it every query and selector counts.
 */
export function deployQueries(
  dashboard: string,
  rules: string,
  ofService?: (selector: Selector) => boolean,
): QueryRef[] {
  const own = (expr: string) => selectors(expr).filter((s) => ofService === undefined || ofService(s));
  return [
    ...dashboardQueries(dashboard)
      .filter((q) => ofService === undefined || own(q.expr).length > 0)
      .map((q) => ({ where: `${dashboard}: ${q.panel}`, expr: q.expr, legend: q.legend, selectors: own(q.expr) })),
    ...[...ruleExpressions(rules)].map(([name, expr]) => ({
      where: `${rules}: ${name}`,
      expr,
      selectors: selectors(expr),
    })),
  ];
}
