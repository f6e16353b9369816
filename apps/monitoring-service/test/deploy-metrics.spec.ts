import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { predictionId, servicePort, type EngagementEvent, type PredictionMessage } from '@pulse/contracts';
import { auc } from '@pulse/ml-metrics';
import { DEFAULT_ALERT_RULE_OPTIONS, estimatedAuc } from '@pulse/monitoring';
import { createMonitoringServiceMetrics, loadMonitoringServiceConfig } from '@pulse/monitoring-service';
import { loadConfig } from '@pulse/nest-common';
import { createHttpMetrics, ensureDefaultMetrics } from '@pulse/observability';
import { waitFor } from '@pulse/testing';
import { Registry } from 'prom-client';
import { HARNESS_FEATURES, MonitoringServiceHarness } from './monitoring-service.harness';

// Grafana, Prometheus, Docker and Kubernetes can't run here, so keep the models dashboard's
// monitoring panels, the alert rules and the manifests honest: every pulse_monitoring_* series they
// query is one monitoring-service exports, selected by labels it has; on the running service the
// series the rules select are there with the values they compare; the manifests set only variables
// it reads and probe paths it answers.
const repo = join(__dirname, '..', '..', '..');
const SERVICE = 'monitoring-service';
const PORT = servicePort(SERVICE);
const DASHBOARD = 'deploy/grafana/dashboards/models.json';
const RULES = 'deploy/prometheus/monitoring-alert-rules.yml';
const MANIFEST = 'deploy/k8s/monitoring-service.yaml';
// Labels Prometheus adds to every scraped series (the service does not export them).
const TARGET_LABELS = ['job', 'instance'];
const HISTOGRAM_PARTS = /_(bucket|sum|count)$/;

const read = (file: string) => readFileSync(join(repo, file), 'utf8');

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

interface PanelJson {
  title: string;
  targets?: { expr: string; legendFormat?: string }[];
  panels?: PanelJson[];
}

interface DashboardJson {
  panels: PanelJson[];
  templating?: { list: { name: string; type: string; definition?: string; query?: unknown }[] };
}

interface PanelQuery {
  readonly panel: string;
  readonly expr: string;
  readonly legend?: string;
}

/** A selector of monitoring-service's series: one of its metrics, or anything scraped from its job. */
const isMonitoring = (s: Selector) =>
  s.metric.startsWith('pulse_monitoring_') || s.matchers.some((m) => m.label === 'job' && m.value === SERVICE);

/** The dashboard's queries that read monitoring-service's series (the models dashboard also shows training's). */
function dashboardQueries(): PanelQuery[] {
  const dashboard = JSON.parse(read(DASHBOARD)) as DashboardJson;
  const panels = (list: PanelJson[]): PanelJson[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
  return panels(dashboard.panels)
    .flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr, legend: t.legendFormat })))
    .filter((q) => selectors(q.expr).some(isMonitoring));
}

function dashboardVariables(): NonNullable<DashboardJson['templating']>['list'] {
  return (JSON.parse(read(DASHBOARD)) as DashboardJson).templating?.list ?? [];
}

const registryMetrics = (() => {
  const registry = new Registry();
  createMonitoringServiceMetrics(registry);
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

/** Every query that reads monitoring-service, with the selectors of its series. */
const allQueries = (): { where: string; expr: string; legend?: string; selectors: Selector[] }[] => [
  ...dashboardQueries().map((q) => ({
    where: `${DASHBOARD}: ${q.panel}`,
    expr: q.expr,
    legend: q.legend,
    selectors: selectors(q.expr).filter(isMonitoring),
  })),
  ...[...ruleExpressions()].map(([name, expr]) => ({ where: `${RULES}: ${name}`, expr, selectors: selectors(expr) })),
];

describe('deploy/ queries only metrics monitoring-service exports', () => {
  it('the rules and the dashboard’s monitoring panels name only its metrics', () => {
    const names = [...new Set(allQueries().flatMap((q) => q.selectors.map((s) => s.metric)))];
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !registryMetrics.has(n))).toEqual([]);
  });

  it('has an alert for the service and for each kind of trouble it watches', () => {
    expect([...ruleExpressions().keys()]).toEqual(
      expect.arrayContaining([
        'MonitoringServiceDown',
        'MonitoringConsumerLagHigh',
        'MonitoringModelAlertFiring',
        'MonitoringAucBelowTraining',
        'MonitoringLabelsNotMaturing',
      ]),
    );
  });

  it('compares realised with training AUC at the service’s own drop ratio, per model, version and window', () => {
    expect(DEFAULT_ALERT_RULE_OPTIONS.aucDropRatio).toBe(0.1);
    const expr = ruleExpressions().get('MonitoringAucBelowTraining')!;
    expect(expr).toContain(`< ${1 - DEFAULT_ALERT_RULE_OPTIONS.aucDropRatio} * max by (model, version, window)`);
    const [realised, training] = selectors(expr);
    expect([realised.metric, training.metric]).toEqual(['pulse_monitoring_auc', 'pulse_monitoring_auc']);
    expect(realised.matchers).toContainEqual({ label: 'kind', op: '=', value: 'realised' });
    expect(training.matchers).toContainEqual({ label: 'kind', op: '=', value: 'training' });
  });

  it('selects, groups and labels each series by labels it has', () => {
    const problems: string[] = [];
    for (const { where, expr, legend, selectors: found } of allQueries()) {
      const available = new Set(found.flatMap((s) => [...labelsOf(s.series)]));
      for (const s of found)
        for (const m of s.matchers)
          if (!labelsOf(s.series).has(m.label)) problems.push(`${where}: ${s.series} has no label ${m.label}`);
      // Grouping and legends only where every series of the query is monitoring-service's.
      if (found.length !== selectors(expr).length) continue;
      for (const label of groupingLabels(expr))
        if (!available.has(label)) problems.push(`${where}: groups by ${label}, which no series in it has`);
      // A legend names labels the query's result keeps: those it is grouped by, if it is grouped.
      const kept = groupingLabels(expr).length > 0 ? new Set(groupingLabels(expr)) : available;
      for (const [, label] of (legend ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g))
        if (!kept.has(label)) problems.push(`${where}: legend names ${label}, which the result has not`);
    }
    expect(problems).toEqual([]);
  });

  it('lists the dashboard’s variables from monitoring metrics that have the label', () => {
    const problems = dashboardVariables()
      .map((v) => ({ v, m: /label_values\((pulse_monitoring_[a-z_]+)[^,]*,\s*(\w+)\)/.exec(v.definition ?? '') }))
      .filter(({ m }) => m !== null)
      .filter(({ m }) => !registryMetrics.get(m![1])?.has(m![2]))
      .map(({ v, m }) => `${v.name}: ${m![1]} has no label ${m![2]}`);
    expect(problems).toEqual([]);
  });

  it('names only jobs Prometheus scrapes, and scrapes monitoring-service on its port', () => {
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

/** monitoring-service's block of docker-compose.yml (its indented lines). */
function composeBlock(): string {
  return new RegExp(`^  ${SERVICE}:\\n((?:    .*\\n|\\n)+)`, 'm').exec(read('docker-compose.yml'))?.[1] ?? '';
}

/** The YAML document of the manifest of one kind (read from the text). */
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
  loadConfig({ load: loadMonitoringServiceConfig, env });
  return names;
}

describe('compose and Kubernetes run monitoring-service on Kafka and Postgres, configured by what it reads', () => {
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

  it('Kubernetes: a Deployment the autoscaler sizes, a Service on its port', () => {
    const hpa = manifest('HorizontalPodAutoscaler');
    expect(hpa).toContain(`scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${SERVICE} }`);
    const min = Number(/minReplicas:\s*(\d+)/.exec(hpa)?.[1]);
    expect(min).toBeGreaterThanOrEqual(1);
    expect(Number(/maxReplicas:\s*(\d+)/.exec(hpa)?.[1])).toBeGreaterThan(min);
    expect(deployment).not.toMatch(/^\s+replicas:/m);
    expect(deployment).toContain(`command: ['node', 'dist/apps/${SERVICE}/main.js']`);
    expect(deployment).toContain(`{ name: http, containerPort: ${PORT} }`);
    expect(deployment).toContain(`prometheus.io/port: '${PORT}'`);
    expect(manifest('Service')).toContain(`{ name: http, port: ${PORT}, targetPort: http }`);
  });

  it('Kubernetes: Kafka from the shared config, Postgres and Kafka security from secrets, no Redis, no API tokens', () => {
    expect(deployment).toContain(
      '{ name: KAFKA_BROKERS, valueFrom: { configMapKeyRef: { name: pulse-config, key: KAFKA_BROKERS } } }',
    );
    expect(read('deploy/k8s/config.yaml')).toMatch(/^ {2}KAFKA_BROKERS: \S+$/m);
    expect(deployment).toContain(
      '{ name: DATABASE_URL, valueFrom: { secretKeyRef: { name: pulse-secrets, key: DATABASE_URL } } }',
    );
    expect(deployment).toContain('- secretRef: { name: pulse-kafka-security, optional: true }');
    expect(deployment).not.toContain('REDIS_URL');
    // The API only reads and checks no token: a tokens secret would suggest a protection it has not.
    expect(variablesRead().has('PULSE_API_TOKENS')).toBe(false);
    expect(deployment).not.toContain('pulse-api-tokens');
  });

  it('sets only variables the service reads', () => {
    const known = variablesRead();
    expect([...known]).toEqual(
      expect.arrayContaining(['KAFKA_BROKERS', 'DATABASE_URL', 'PORT', 'MONITORING_WINDOWS', 'MONITORING_MODELS']),
    );
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
    // Target labels are Prometheus's; a template variable ($window) stands for any value.
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

// The world of the e2e spec, smaller: five standard-normal inputs, a calibrated score. Day 0 is the
// reference's world; on day 1 every input shifts by 1.5 and completions no longer follow the score
// (so the realised AUC falls to about 0.5); a few predictions of day 2 close day 1's window.
const MODEL = 'lesson_completion';
const DAY = 86_400_000;
const D0 = Math.floor(Date.now() / DAY) * DAY - 20 * DAY;
const TRAINING_AUC = 0.8;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const rand = lcg(29);
const normal = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

interface Sent {
  readonly prediction: PredictionMessage;
  readonly completes: boolean;
}

function day(d: number, n: number, shift: number, followsScore: boolean): Sent[] {
  return Array.from({ length: n }, (_, i) => {
    const asOfMs = D0 + d * DAY + Math.floor((i / n) * DAY);
    const x = HARNESS_FEATURES.map(() => normal() + shift);
    const score = 1 / (1 + Math.exp(-(x[0] - 0.5 * x[1] + 0.3 * normal())));
    const trigger = `deploy-${d}-${i}`;
    return {
      completes: rand() < (followsScore ? score : 0.5),
      prediction: {
        predictionId: predictionId(MODEL, trigger, 'champion'),
        model: MODEL,
        modelVersion: 1,
        alias: 'champion',
        variant: 'champion',
        shadow: false,
        entityId: `learner-${d}-${i % 100}`,
        triggerEventId: trigger,
        contentId: `lesson-${d}-${i}`,
        asOfMs,
        predictedAtMs: asOfMs,
        score,
        label: score >= 0.5 ? '1' : '0',
        classProbabilities: { '0': 1 - score, '1': score },
        riskTier: 'low',
        riskConfidence: 0.5,
        topFactors: [],
        inputs: HARNESS_FEATURES.map((name, j) => ({ name, value: x[j], stalenessMs: 0 })),
        fallback: false,
        latencyMs: 1,
      },
    };
  });
}

/** A completion 5 h after each send that completes, carrying the learner's fairness groups. */
function outcomes(sent: readonly Sent[]): EngagementEvent[] {
  return sent
    .filter((s) => s.completes)
    .map((s) => ({
      eventId: `done-${s.prediction.triggerEventId}`,
      entityId: s.prediction.entityId,
      eventType: 'lesson_completed',
      eventTimeMs: s.prediction.asOfMs + 5 * 3_600_000,
      channel: 'email',
      contentId: s.prediction.contentId!,
      attributes: {},
      profile: {
        region: Number(s.prediction.entityId.split('-')[2]) % 2 ? 'north' : 'south',
        role: 'student',
      } as never,
    }));
}

describe('the running service emits the series the dashboard and the rules select', () => {
  const days = [day(0, 300, 0, true), day(1, 300, 1.5, false), day(2, 20, 1.5, false)];
  const all = days.flat();
  const h = new MonitoringServiceHarness(MODEL);
  let url: string;
  let scraped: { families: Set<string>; samples: Sample[] };
  const series = (selector: string) => {
    const [s] = selectors(selector);
    return scraped.samples.filter((x) => matches(s, x));
  };
  const total = (selector: string) => series(selector).reduce((sum, s) => sum + s.value, 0);
  const firing = (rule: string) => series(`pulse_monitoring_alerts_firing{rule="${rule}"}`)[0]?.value;

  beforeAll(async () => {
    await h.setUp(
      Array.from({ length: 5000 }, () => HARNESS_FEATURES.map(() => normal())),
      TRAINING_AUC,
    );
    // Lateness wider than the outcomes' spread of event times: the watermark is the newest event time
    // read from any partition, so a partition read ahead of the others would otherwise mature the
    // labels of outcomes still unread in another as 0.
    ({ url } = await h.start({ MONITORING_LABEL_LATENESS_MS: String(4 * DAY) }));
    await h.publishPredictions(all.map((s) => s.prediction));
    // The outcomes, and once they are stored one later event that moves the watermark past every
    // label's horizon (read before another partition's outcomes, it would mature them as 0).
    const completions = outcomes(all);
    await h.publishEvents(completions);
    await waitFor(
      async () =>
        Number((await h.storage.dataSource.query(`SELECT count(*)::int AS n FROM monitoring_outcome_events`))[0].n) ===
        completions.length,
      { timeoutMs: 60_000, message: 'the outcome events stored' },
    );
    await h.publishEvents([
      {
        eventId: 'deploy-clock',
        entityId: 'clock',
        eventType: 'session_started',
        eventTimeMs: D0 + 10 * DAY,
        channel: 'email',
        attributes: {},
      },
    ]);
    // The API's routes, for the HTTP timings.
    expect((await fetch(`${url}/v1/monitoring/${MODEL}`)).status).toBe(200);
    expect((await fetch(`${url}/v1/alerts`)).status).toBe(200);

    const scrape = async () => (scraped = parseExposition(await (await fetch(`${url}/metrics`)).text()));
    await waitFor(
      async () => {
        await scrape();
        return (
          total('pulse_monitoring_predictions_total') === all.length &&
          total('pulse_monitoring_labels_total') === all.length &&
          firing('feature_drift') === 1 &&
          firing('auc_drop') === 1 &&
          series('pulse_monitoring_auc{kind="realised"}').length > 0 &&
          series('pulse_monitoring_fairness_gap').length > 0 &&
          new Set(series('pulse_monitoring_consumer_lag').map((s) => s.labels.topic)).size === 2
        );
      },
      { timeoutMs: 90_000, intervalMs: 250, message: 'every prediction recorded and labelled, the alerts fired' },
    );
  }, 150_000);

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
    expect(await (await fetch(`${url}${path}`)).text()).toContain('# TYPE pulse_monitoring_');
  });

  it('exports every metric the dashboard and the rules query, under those names', () => {
    const names = [...new Set(allQueries().flatMap((q) => q.selectors.map((s) => s.metric)))];
    expect(names.filter((n) => !scraped.families.has(n))).toEqual([]);
  });

  it('every selector of the rules and the dashboard matches some sample (up aside)', () => {
    const unmatched = allQueries().flatMap((q) =>
      q.selectors.filter((s) => !scraped.samples.some((x) => matches(s, x))).map((s) => `${q.where}: ${s.series}`),
    );
    expect(unmatched).toEqual([]);
  });

  it('reports 1 for the rules that fired where MonitoringModelAlertFiring looks', () => {
    const [gauge] = selectors(ruleExpressions().get('MonitoringModelAlertFiring')!);
    const byRule = new Map(scraped.samples.filter((s) => matches(gauge, s)).map((s) => [s.labels.rule, s]));
    expect(byRule.get('feature_drift')).toMatchObject({ labels: { model: MODEL }, value: 1 });
    expect(byRule.get('auc_drop')).toMatchObject({ labels: { model: MODEL }, value: 1 });
    // Each firing counted as a transition, and a retraining request asked for it.
    expect(total(`pulse_monitoring_alerts_total{rule="feature_drift", transition="fired"}`)).toBe(1);
    expect(total(`pulse_monitoring_training_requests_total{rule="feature_drift", model="${MODEL}"}`)).toBe(1);
    expect(total(`pulse_monitoring_training_requests_total{rule="auc_drop", model="${MODEL}"}`)).toBe(1);
  });

  it('reports realised, training and estimated AUC where MonitoringAucBelowTraining compares them', () => {
    const [realised, training, predictions] = selectors(ruleExpressions().get('MonitoringAucBelowTraining')!);
    const key = (s: Sample) => `${s.labels.model} v${s.labels.version} ${s.labels.window}`;
    const r = scraped.samples.filter((s) => matches(realised, s));
    const t = new Map(scraped.samples.filter((s) => matches(training, s)).map((s) => [key(s), s.value]));
    expect(r.map(key)).toEqual([`${MODEL} v1 1d`]);
    // Day 1's window: exactly the metrics lib's AUC of its rows, more than 10 % under 0.8.
    const labels = days[1].map((s) => (s.completes ? 1 : 0));
    const scores = days[1].map((s) => s.prediction.score);
    expect(r[0].value).toBe(auc(labels, scores));
    expect(t.get(key(r[0]))).toBe(TRAINING_AUC);
    expect(r[0].value).toBeLessThan((1 - DEFAULT_ALERT_RULE_OPTIONS.aucDropRatio) * TRAINING_AUC);
    // CBPE's estimate of the same scores (summed in the rows' order, so to rounding).
    const estimated = series(`pulse_monitoring_auc{kind="estimated", window="1d"}`);
    expect(estimated).toHaveLength(1);
    expect(estimated[0].value).toBeCloseTo(estimatedAuc(scores), 12);
    // The guard: the version receives predictions, under the same model and version labels.
    const counted = scraped.samples.filter((s) => matches(predictions, s));
    expect(counted.map((s) => [s.labels.model, s.labels.version, s.value])).toEqual([[MODEL, '1', all.length]]);
  });

  it('counts predictions and matured labels where MonitoringLabelsNotMaturing compares their rates', () => {
    const [now, earlier, matured] = selectors(ruleExpressions().get('MonitoringLabelsNotMaturing')!);
    const sum = (s: Selector) => scraped.samples.filter((x) => matches(s, x)).reduce((a, x) => a + x.value, 0);
    expect(sum(now)).toBe(all.length);
    expect(sum(earlier)).toBe(all.length);
    // Every prediction labelled once, by the outcome the world drew.
    const byLabel = Object.fromEntries(
      scraped.samples.filter((x) => matches(matured, x)).map((x) => [x.labels.label, x.value]),
    );
    const completed = all.filter((s) => s.completes).length;
    expect(byLabel).toEqual({ '0': all.length - completed, '1': completed });
    expect(new Set(scraped.samples.filter((x) => matches(matured, x)).map((x) => x.labels.model))).toEqual(
      new Set([MODEL]),
    );
  });

  it('reports the lag of the predictions and the events topics where MonitoringConsumerLagHigh looks', () => {
    const [lag] = selectors(ruleExpressions().get('MonitoringConsumerLagHigh')!);
    const found = scraped.samples.filter((s) => matches(lag, s));
    expect(new Set(found.map((s) => s.labels.topic))).toEqual(new Set([h.predictionsTopic(), h.topics.events]));
  });

  it('reports drift per feature and the score with each metric the dashboard can pick', () => {
    const drift = series(`pulse_monitoring_drift{model="${MODEL}", window="1d"}`);
    expect(new Set(drift.map((s) => s.labels.feature))).toEqual(new Set([...HARNESS_FEATURES, '__score__']));
    expect(new Set(drift.map((s) => s.labels.metric))).toEqual(new Set(['psi', 'js', 'ks', 'wasserstein', 'chi2']));
    // A custom dashboard variable a monitoring selector uses offers only values the service emits.
    const problems: string[] = [];
    for (const v of dashboardVariables().filter((x) => x.type === 'custom')) {
      const options = String(v.query ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean);
      for (const q of allQueries())
        for (const s of q.selectors)
          for (const m of s.matchers.filter((m) => m.value === `$${v.name}` || m.value === `\${${v.name}}`)) {
            const emitted = new Set(scraped.samples.filter((x) => x.name === s.series).map((x) => x.labels[m.label]));
            for (const o of options)
              if (!emitted.has(o))
                problems.push(`${q.where}: $${v.name} offers ${o}, no ${s.series} has ${m.label}="${o}"`);
          }
    }
    expect(problems).toEqual([]);
    // The fairness gaps by attribute: the learners' regions differ.
    expect(
      series('pulse_monitoring_fairness_gap{attribute="region"}')
        .map((s) => s.labels.metric)
        .sort(),
    ).toEqual(['demographic_parity', 'equalized_odds']);
  });

  it('times the HTTP routes by route pattern', () => {
    const routes = new Set(series('pulse_http_request_duration_seconds_count').map((s) => s.labels.route));
    expect([...routes]).toEqual(expect.arrayContaining(['/v1/monitoring/:model', '/v1/alerts']));
  });
});
