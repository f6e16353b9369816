import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTENT_TYPE_HEADER, servicePort } from '@pulse/contracts';
import { createExperimentServiceMetrics, loadExperimentServiceConfig } from '@pulse/experiment-service';
import { SRM_THRESHOLD } from '@pulse/experiment-stats';
import { loadConfig } from '@pulse/nest-common';
import { createHttpMetrics, ensureDefaultMetrics } from '@pulse/observability';
import { waitFor } from '@pulse/testing';
import { Registry } from 'prom-client';
import { ADMIN_TOKEN, ExperimentServiceHarness } from './experiment-service.harness';

// Grafana, Prometheus, Docker and Kubernetes can't run here, so keep the experiments dashboard, the
// alert rules and the manifests honest: every pulse_* series they query is one experiment-service
// exports, selected by labels it has; on the running service the label values the rules select on
// are the ones it emits; the manifests set only variables it reads and probe paths it answers.
const repo = join(__dirname, '..', '..', '..');
const SERVICE = 'experiment-service';
const PORT = servicePort(SERVICE);
const DASHBOARD = 'deploy/grafana/dashboards/experiments.json';
const RULES = 'deploy/prometheus/experiment-alert-rules.yml';
const MANIFEST = 'deploy/k8s/experiment-service.yaml';
// Labels Prometheus adds to every scraped series (the service does not export them).
const TARGET_LABELS = ['job', 'instance'];
const HISTOGRAM_PARTS = /_(bucket|sum|count)$/;

const read = (file: string) => readFileSync(join(repo, file), 'utf8');

interface PanelQuery {
  readonly panel: string;
  readonly expr: string;
  readonly legend?: string;
}

interface Dashboard {
  panels: { title: string; targets?: { expr: string; legendFormat?: string }[] }[];
  templating: { list: { name: string; definition: string }[] };
}

function dashboardQueries(): PanelQuery[] {
  const dashboard = JSON.parse(read(DASHBOARD)) as Dashboard;
  return dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr, legend: t.legendFormat })),
  );
}

/** Each alert's expression, by alert name (the rule file's `expr:` values, folded or not). */
function ruleExpressions(): Map<string, string> {
  const out = new Map<string, string>();
  for (const block of read(RULES)
    .split(/^\s+- alert: /m)
    .slice(1)) {
    const name = /^\S+/.exec(block)![0];
    const expr = /^\s+expr: (?:>-?\n)?([\s\S]*?)\n\s+(?:for|labels):/m.exec(block)?.[1];
    if (expr === undefined) throw new Error(`rule ${name}: no expr found`);
    out.set(name, expr.replace(/\s+/g, ' ').trim());
  }
  return out;
}

interface Matcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

interface Selector {
  /** The series name as written (a histogram's _bucket included). */
  readonly series: string;
  /** The metric family: the series name without a histogram suffix. */
  readonly metric: string;
  readonly matchers: Matcher[];
}

function selectors(expr: string): Selector[] {
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
function groupingLabels(expr: string): string[] {
  return [...expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap(([, list]) =>
    list
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
  );
}

const queried = (text: string) => [...new Set(selectors(text).map((s) => s.metric))];
const dashboardText = () =>
  dashboardQueries()
    .map((q) => q.expr)
    .join('\n');

const registryMetrics = (() => {
  const registry = new Registry();
  createExperimentServiceMetrics(registry);
  createHttpMetrics(registry);
  ensureDefaultMetrics(registry);
  return new Map(
    registry.getMetricsAsArray().map((m) => {
      const { labelNames = [] } = m as unknown as { labelNames?: string[] };
      return [m.name, new Set(labelNames)] as const;
    }),
  );
})();

function labelsOf(series: string): Set<string> {
  const labels = new Set([...(registryMetrics.get(series.replace(HISTOGRAM_PARTS, '')) ?? []), ...TARGET_LABELS]);
  if (series.endsWith('_bucket')) labels.add('le');
  return labels;
}

const allQueries = (): { where: string; expr: string; legend?: string }[] => [
  ...dashboardQueries().map((q) => ({ where: `${DASHBOARD}: ${q.panel}`, expr: q.expr, legend: q.legend })),
  ...[...ruleExpressions()].map(([name, expr]) => ({ where: `${RULES}: ${name}`, expr })),
];

describe('deploy/ queries only metrics experiment-service exports', () => {
  it.each([DASHBOARD, RULES])('%s', (file) => {
    const names = queried(file.endsWith('.json') ? dashboardText() : read(file));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !registryMetrics.has(n))).toEqual([]);
  });

  it('the dashboard shows every experiment metric, and the HTTP rate and latency', () => {
    const shown = new Set(queried(dashboardText()));
    const expected = [...registryMetrics.keys()].filter((n) => n.startsWith('pulse_experiment_'));
    expect(expected.length).toBeGreaterThanOrEqual(7);
    expect([...expected, 'pulse_http_request_duration_seconds'].filter((n) => !shown.has(n))).toEqual([]);
    const http = dashboardQueries().filter((q) => q.expr.includes('pulse_http_request_duration_seconds'));
    expect(http.some((q) => q.expr.includes('pulse_http_request_duration_seconds_count'))).toBe(true);
    expect(http.some((q) => q.expr.includes('pulse_http_request_duration_seconds_bucket'))).toBe(true);
  });

  it('lists the dashboard’s experiments from metrics with an experiment label', () => {
    const { templating } = JSON.parse(read(DASHBOARD)) as Dashboard;
    const variable = templating.list.find((v) => v.name === 'experiment')!;
    expect(variable.definition).toMatch(/, experiment\)$/);
    const names = queried(variable.definition);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !registryMetrics.get(n)?.has('experiment'))).toEqual([]);
  });

  it('has an alert for each failure the service can report', () => {
    expect([...ruleExpressions().keys()]).toEqual(
      expect.arrayContaining([
        'ExperimentServiceDown',
        'ExperimentSampleRatioMismatch',
        'ExperimentExposureConsumerLagHigh',
        'ExperimentExposuresRejected',
        'ExperimentExposuresNotRecorded',
      ]),
    );
  });

  it('flags a sample ratio mismatch where the results flag it, in the rule and on the dashboard', () => {
    expect(SRM_THRESHOLD).toBe(0.001);
    expect(ruleExpressions().get('ExperimentSampleRatioMismatch')).toMatch(
      new RegExp(`pulse_experiment_srm_p_value\\{[^}]*\\}\\) < ${SRM_THRESHOLD}$`),
    );
    const dashboard = JSON.parse(read(DASHBOARD)) as {
      panels: { title: string; fieldConfig: { defaults: { thresholds?: { steps: { value: number | null }[] } } } }[];
    };
    const srmPanels = dashboard.panels.filter((p) => /SRM/.test(p.title));
    expect(srmPanels.length).toBe(2);
    for (const p of srmPanels)
      expect(p.fieldConfig.defaults.thresholds?.steps.map((s) => s.value)).toEqual([null, SRM_THRESHOLD]);
  });

  it('selects, groups and labels each series by labels it has', () => {
    const problems: string[] = [];
    for (const { where, expr, legend } of allQueries()) {
      const found = selectors(expr);
      const available = new Set(found.flatMap((s) => [...labelsOf(s.series)]));
      for (const s of found)
        for (const m of s.matchers)
          if (!labelsOf(s.series).has(m.label)) problems.push(`${where}: ${s.series} has no label ${m.label}`);
      for (const label of groupingLabels(expr))
        if (!available.has(label)) problems.push(`${where}: groups by ${label}, which no series in it has`);
      // A legend names labels the query's result keeps: those it is grouped by, if it is grouped.
      const kept = groupingLabels(expr).length > 0 ? new Set(groupingLabels(expr)) : available;
      for (const [, label] of (legend ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g))
        if (!kept.has(label)) problems.push(`${where}: legend names ${label}, which the result has not`);
    }
    expect(problems).toEqual([]);
  });

  it('names only jobs Prometheus scrapes, and scrapes experiment-service on its port', () => {
    const config = read('deploy/prometheus/prometheus.yml');
    const jobs = new Set([...config.matchAll(/job_name:\s*(\S+)/g)].map(([, job]) => job));
    expect(config).toMatch(
      new RegExp(`job_name: ${SERVICE}\\n\\s+metrics_path: /metrics\\n[\\s\\S]*?'${SERVICE}:${PORT}'`),
    );
    expect(config).toContain(`/etc/prometheus/${RULES.split('/').pop()}`);
    const named = allQueries().flatMap(({ expr }) =>
      [...expr.matchAll(/\bjob\s*=\s*"([^"]+)"/g)].map(([, job]) => job),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((job) => !jobs.has(job))).toEqual([]);
  });
});

/** experiment-service's block of docker-compose.yml (its indented lines). */
function composeBlock(): string {
  return new RegExp(`^  ${SERVICE}:\\n((?:    .*\\n|\\n)+)`, 'm').exec(read('docker-compose.yml'))?.[1] ?? '';
}

/** The YAML documents of the manifest, each with its kind (read from the text). */
function manifest(kind: string): string {
  const doc = read(MANIFEST)
    .split(/^---$/m)
    .find((text) => new RegExp(`^kind: ${kind}$`, 'm').test(text));
  if (doc === undefined) throw new Error(`${MANIFEST} has no ${kind}`);
  return doc;
}

/** The variables the configuration reads (besides LOG_LEVEL, which the logger reads). */
function variablesRead(): Set<string> {
  const names = new Set(['LOG_LEVEL']);
  const env = new Proxy({} as Record<string, string | undefined>, {
    get: (_, name) => {
      if (typeof name === 'string') names.add(name);
      return undefined;
    },
  });
  loadConfig({ load: loadExperimentServiceConfig, env });
  return names;
}

describe('compose and Kubernetes run experiment-service on Kafka and Postgres, configured by what it reads', () => {
  const compose = composeBlock();
  const deployment = manifest('Deployment');

  it('compose: its own entry point and port, the real Kafka and Postgres, no Redis, scraped after it starts', () => {
    expect(compose).toContain(`command: ['node', 'dist/apps/${SERVICE}/main.js']`);
    expect(compose).toContain(`PORT: '${PORT}'`);
    expect(compose).toContain(`- '${PORT}:${PORT}'`);
    expect(compose).toMatch(/^ {6}KAFKA_BROKERS: kafka:9092$/m);
    expect(compose).toMatch(/^ {6}DATABASE_URL: postgres:\/\/\S+@postgres:5432\/\S+$/m);
    expect(compose).not.toMatch(/REDIS_URL|service-env|redis:/);
    expect(compose).toMatch(/kafka: \{ condition: service_healthy \}\n\s+postgres: \{ condition: service_healthy \}/);
    const prometheus = /^ {2}prometheus:\n(?: {4}.*\n)*? {4}depends_on: \[(.*)\]/m.exec(read('docker-compose.yml'));
    expect(prometheus?.[1].split(/,\s*/)).toContain(SERVICE);
  });

  it('Kubernetes: a Deployment the autoscaler sizes (two copies at least), a Service on its port', () => {
    const hpa = manifest('HorizontalPodAutoscaler');
    expect(hpa).toContain(`scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${SERVICE} }`);
    const min = Number(/minReplicas:\s*(\d+)/.exec(hpa)?.[1]);
    expect(min).toBeGreaterThanOrEqual(2);
    expect(Number(/maxReplicas:\s*(\d+)/.exec(hpa)?.[1])).toBeGreaterThan(min);
    expect(deployment).not.toMatch(/^\s+replicas:/m);
    expect(deployment).toContain(`command: ['node', 'dist/apps/${SERVICE}/main.js']`);
    expect(deployment).toContain(`{ name: http, containerPort: ${PORT} }`);
    expect(deployment).toContain(`prometheus.io/port: '${PORT}'`);
    expect(manifest('Service')).toContain(`{ name: http, port: ${PORT}, targetPort: http }`);
  });

  it('Kubernetes: Kafka from the shared config, Postgres and the API tokens from secrets, no Redis', () => {
    expect(deployment).toContain(
      '{ name: KAFKA_BROKERS, valueFrom: { configMapKeyRef: { name: pulse-config, key: KAFKA_BROKERS } } }',
    );
    expect(read('deploy/k8s/config.yaml')).toMatch(/^ {2}KAFKA_BROKERS: \S+$/m);
    expect(deployment).toContain(
      '{ name: DATABASE_URL, valueFrom: { secretKeyRef: { name: pulse-secrets, key: DATABASE_URL } } }',
    );
    expect(deployment).toContain('- secretRef: { name: pulse-kafka-security, optional: true }');
    expect(deployment).toContain('- secretRef: { name: pulse-api-tokens, optional: true }');
    expect(deployment).not.toContain('REDIS_URL');
  });

  it('sets only variables the service reads, the API tokens among them', () => {
    const known = variablesRead();
    expect([...known]).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'DATABASE_URL', 'PORT', 'PULSE_API_TOKENS']));
    const inCompose = [...compose.matchAll(/^ {6}([A-Z][A-Z0-9_]*):/gm)].map(([, name]) => name);
    const inK8s = [...deployment.matchAll(/\{ name: ([A-Z][A-Z0-9_]*), value/g)].map(([, name]) => name);
    expect(inCompose.length).toBeGreaterThan(0);
    expect(inK8s.length).toBeGreaterThan(0);
    expect([...inCompose, ...inK8s].filter((name) => !known.has(name))).toEqual([]);
  });
});

/** One scraped sample: the series name and its labels. */
interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

function parseExposition(text: string): { families: Set<string>; samples: Sample[] } {
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

function matches(selector: Selector, sample: Sample): boolean {
  if (sample.name !== selector.series) return false;
  return selector.matchers.every((m) => {
    // Target labels are Prometheus's; a template variable ($experiment) stands for any value.
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

describe('the running service emits the series the dashboard and the rules select', () => {
  // A running experiment assigned through the API, and a draft (the API exposes nobody to it) whose
  // first exposures are written below, skewed 60/40.
  const BALANCED = 'deploy-balanced';
  const SKEWED = 'deploy-skewed';
  const UNITS = Array.from({ length: 40 }, (_, i) => `learner-deploy-${i}`);
  const h = new ExperimentServiceHarness();
  let url: string;
  let scraped: { families: Set<string>; samples: Sample[] };
  const series = (selector: string) => {
    const [s] = selectors(selector);
    return scraped.samples.filter((x) => matches(s, x));
  };
  const total = (selector: string) => series(selector).reduce((sum, s) => sum + s.value, 0);
  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify(body),
    });
  const exposedUnits = new Set<string>();

  beforeAll(async () => {
    await h.setUp();
    ({ url } = await h.start());
    for (const [key, status] of [
      [BALANCED, 'running'],
      [SKEWED, 'draft'],
    ])
      expect((await post('/v1/experiments', { key, variations: [0, 1], status })).status).toBe(201);

    // The assignments serve the experiment once its change is published.
    const assign = async (unit: string) => {
      const res = await fetch(`${url}/v1/assignments/${unit}`);
      expect(res.status).toBe(200);
      const { assignments } = (await res.json()) as { assignments: { experiment: string; inExperiment: boolean }[] };
      const mine = assignments.find((a) => a.experiment === BALANCED);
      if (mine?.inExperiment) exposedUnits.add(unit);
      return mine;
    };
    await waitFor(() => assign(UNITS[0]), { timeoutMs: 15_000, message: `${BALANCED} served by the assignments API` });
    for (const unit of UNITS) await assign(unit);

    // A record on the exposures topic that is no exposure, and skewed first exposures for the SRM.
    await h.bus
      .createPublisher()
      .publish(h.topics.exposures, [
        { key: 'bad', value: Buffer.from('{"exposureId": 1}'), headers: { [CONTENT_TYPE_HEADER]: 'application/json' } },
      ]);
    await h.storage.dataSource.query(
      `INSERT INTO experiment_exposures (experiment_key, unit_id, variant, exposure_id, first_exposed_ms)
       SELECT $1, 'u' || i, CASE WHEN i % 10 < 6 THEN '0' ELSE '1' END, 'x' || i, 1 FROM generate_series(1, 2000) i`,
      [SKEWED],
    );

    const scrape = async () => (scraped = parseExposition(await (await fetch(`${url}/metrics`)).text()));
    await waitFor(
      async () => {
        await scrape();
        const published = total('pulse_experiment_exposures_published_total');
        return (
          published > 0 &&
          total('pulse_experiment_exposures_consumed_total{outcome=~"new|repeat"}') === published &&
          total('pulse_experiment_exposures_consumed_total{outcome="rejected"}') > 0 &&
          total('pulse_experiment_changes_published_total') >= 2 &&
          series('pulse_experiment_consumer_lag').length > 0
        );
      },
      { timeoutMs: 60_000, intervalMs: 200, message: 'every exposure recorded, the bad record rejected' },
    );
    // Results, which set the exposed units, the SRM p-value and the computation time.
    for (const key of [BALANCED, SKEWED])
      expect((await fetch(`${url}/v1/experiments/${key}/results`)).status).toBe(200);
    await scrape();
  }, 120_000);

  afterAll(() => h.tearDown(), 60_000);

  it('answers the probes and the scrape the manifest points at', async () => {
    const deployment = manifest('Deployment');
    const probes = [...deployment.matchAll(/(\w+Probe):\n\s+httpGet: \{ path: (\S+), port: http \}/g)];
    expect(probes.map(([, probe]) => probe).sort()).toEqual(['livenessProbe', 'readinessProbe', 'startupProbe']);
    for (const [, probe, path] of probes) expect([probe, (await fetch(`${url}${path}`)).status]).toEqual([probe, 200]);
    // /health, for operators and `pulse status`: Postgres and Kafka both answer.
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({
      status: 'ok',
      info: { postgres: { status: 'up' }, kafka: { status: 'up' } },
    });
    const path = /prometheus\.io\/path: (\S+)/.exec(deployment)![1];
    expect(await (await fetch(`${url}${path}`)).text()).toContain('# TYPE pulse_experiment_');
  });

  it('exports every metric the dashboard and the rules query, under those names', () => {
    const names = queried(`${dashboardText()}\n${read(RULES)}`);
    expect(names.filter((n) => !scraped.families.has(n))).toEqual([]);
  });

  it('reports the SRM p-value where ExperimentSampleRatioMismatch looks: under the threshold for the skewed experiment only', () => {
    const [srm] = selectors(ruleExpressions().get('ExperimentSampleRatioMismatch')!);
    const byExperiment = new Map(scraped.samples.filter((s) => matches(srm, s)).map((s) => [s.labels.experiment, s]));
    expect([...byExperiment.keys()].sort()).toEqual([BALANCED, SKEWED]);
    expect(byExperiment.get(SKEWED)!.value).toBeLessThan(SRM_THRESHOLD);
    expect(byExperiment.get(BALANCED)!.value).toBeGreaterThanOrEqual(SRM_THRESHOLD);
    // The units the dashboard's bar gauge shows: the skewed experiment's 1200 / 800.
    const units = series(`pulse_experiment_exposed_units{experiment="${SKEWED}"}`);
    expect(units.map((s) => [s.labels.variant, s.value]).sort()).toEqual([
      ['0', 1200],
      ['1', 800],
    ]);
    expect(total(`pulse_experiment_exposed_units{experiment="${BALANCED}"}`)).toBe(exposedUnits.size);
  });

  it('counts the rejected record, and the records of each unit once as new, where ExperimentExposuresRejected looks', () => {
    const [rejected, all] = selectors(ruleExpressions().get('ExperimentExposuresRejected')!);
    expect(scraped.samples.filter((s) => matches(rejected, s)).map((s) => s.value)).toEqual([1]);
    const consumed = scraped.samples.filter((s) => matches(all, s));
    expect(Object.fromEntries(consumed.map((s) => [s.labels.outcome, s.value]))).toEqual({
      new: exposedUnits.size,
      repeat: total('pulse_experiment_exposures_published_total') - exposedUnits.size,
      rejected: 1,
    });
  });

  it('counts published and recorded exposures where ExperimentExposuresNotRecorded compares them', () => {
    const [published, consumed] = selectors(ruleExpressions().get('ExperimentExposuresNotRecorded')!);
    const sum = (s: Selector) => scraped.samples.filter((x) => matches(s, x)).reduce((a, x) => a + x.value, 0);
    expect(sum(published)).toBeGreaterThanOrEqual(UNITS.length);
    expect(sum(consumed)).toBe(sum(published) + 1);
    expect(series('pulse_experiment_exposures_published_total').map((s) => s.labels.experiment)).toContain(BALANCED);
  });

  it('reports the lag of the exposures topic where ExperimentExposureConsumerLagHigh looks', () => {
    const [lag] = selectors(ruleExpressions().get('ExperimentExposureConsumerLagHigh')!);
    const found = scraped.samples.filter((s) => matches(lag, s));
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found.map((s) => s.labels.topic))).toEqual(new Set([h.topics.exposures]));
  });

  it('times the HTTP routes the dashboard shows, by route pattern', () => {
    const routes = new Set(series('pulse_http_request_duration_seconds_count').map((s) => s.labels.route));
    expect([...routes]).toEqual(
      expect.arrayContaining(['/v1/assignments/:unit', '/v1/experiments', '/v1/experiments/:key/results']),
    );
  });

  it('every dashboard selector matches some sample, and every metric it shows has samples', () => {
    const unmatched = dashboardQueries().flatMap((q) =>
      selectors(q.expr)
        .filter((s) => !scraped.samples.some((x) => matches(s, x)))
        .map((s) => `${q.panel}: ${s.series}`),
    );
    expect(unmatched).toEqual([]);
  });
});
