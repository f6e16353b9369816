import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { CONTENT_TYPE_HEADER, encodeEngagementEvent, Topics } from '@pulse/contracts';
import {
  createInferenceServiceApp,
  createInferenceServiceMetrics,
  IS_INFRASTRUCTURE,
  loadInferenceServiceConfig,
  type InferenceInfrastructure,
} from '@pulse/inference-service';
import { loadConfig } from '@pulse/nest-common';
import { createHttpMetrics, ensureDefaultMetrics } from '@pulse/observability';
import { createTestDatabase, randomRedisPrefix, testRedisUrl, waitFor, type TestDatabase } from '@pulse/testing';
import { Registry } from 'prom-client';

// Grafana and Prometheus can't run here (no Docker), so keep the inference dashboard and alert rules
// honest: every pulse_* series they query is one inference-service exports, selected by labels it
// has, and on the running service the label values the rules select on are the ones it emits.
const repo = join(__dirname, '..', '..', '..');
const DASHBOARD = 'deploy/grafana/dashboards/inference.json';
const RULES = 'deploy/prometheus/inference-alert-rules.yml';
// Labels Prometheus adds to every scraped series (the service does not export them).
const TARGET_LABELS = ['job', 'instance'];
const HISTOGRAM_PARTS = /_(bucket|sum|count)$/;

const read = (file: string) => readFileSync(join(repo, file), 'utf8');

interface PanelQuery {
  readonly panel: string;
  readonly expr: string;
  readonly legend?: string;
}

function dashboardQueries(): PanelQuery[] {
  const dashboard = JSON.parse(read(DASHBOARD)) as {
    panels: { title: string; targets?: { expr: string; legendFormat?: string }[] }[];
  };
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

const registryMetrics = (() => {
  const registry = new Registry();
  createInferenceServiceMetrics(registry);
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

describe('deploy/ queries only metrics inference-service exports', () => {
  it.each([DASHBOARD, RULES])('%s', (file) => {
    const names = queried(
      file.endsWith('.json')
        ? dashboardQueries()
            .map((q) => q.expr)
            .join('\n')
        : read(file),
    );
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !registryMetrics.has(n))).toEqual([]);
  });

  it('the dashboard shows every inference metric, the consumer lag and the HTTP latency', () => {
    const shown = new Set(
      queried(
        dashboardQueries()
          .map((q) => q.expr)
          .join('\n'),
      ),
    );
    const expected = [...registryMetrics.keys()].filter((n) => n.startsWith('pulse_inference_'));
    expect(expected.length).toBeGreaterThanOrEqual(12);
    expect(
      [...expected, 'pulse_consumer_lag', 'pulse_http_request_duration_seconds'].filter((n) => !shown.has(n)),
    ).toEqual([]);
  });

  it('has an alert for each failure the service can report', () => {
    const rules = ruleExpressions();
    expect([...rules.keys()]).toEqual(
      expect.arrayContaining([
        'InferenceServiceDown',
        'InferenceNoChampion',
        'InferenceFallbackRateHigh',
        'InferenceVersionRefused',
        'InferencePublishLatencyHigh',
        'InferenceConsumerLagHigh',
      ]),
    );
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

  it('names only jobs Prometheus scrapes, and scrapes inference-service on its port', () => {
    const config = read('deploy/prometheus/prometheus.yml');
    const jobs = new Set([...config.matchAll(/job_name:\s*(\S+)/g)].map(([, job]) => job));
    expect(config).toMatch(/job_name: inference-service\n\s+metrics_path: \/metrics\n[\s\S]*?'inference-service:3003'/);
    expect(config).toContain(`/etc/prometheus/${RULES.split('/').pop()}`);
    const named = allQueries().flatMap(({ expr }) =>
      [...expr.matchAll(/\bjob\s*=\s*"([^"]+)"/g)].map(([, job]) => job),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((job) => !jobs.has(job))).toEqual([]);
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
    // Target labels are Prometheus's; a template variable ($model) stands for any value.
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

describe('the running service emits the series the dashboard and the rules select (no champion: every answer is the fallback)', () => {
  const MODEL = 'lesson_completion';
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let scraped: { families: Set<string>; samples: Sample[] };
  const series = (selector: string) => {
    const [s] = selectors(selector);
    return scraped.samples.filter((x) => matches(s, x));
  };

  beforeAll(async () => {
    db = await createTestDatabase('pulse_is_deploy');
    // The bus embedded (triggers are published to it below); Postgres and Redis real.
    const config = loadConfig({
      load: loadInferenceServiceConfig,
      env: {
        PORT: '0',
        DATABASE_URL: db.url,
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: randomRedisPrefix('pulse-is-deploy'),
        INFERENCE_FEATURE_WAIT_MS: '50',
      },
    });
    app = await createInferenceServiceApp(config, { registry: new Registry(), logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

    const res = await fetch(`${url}/v1/predict/${MODEL}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entityId: 'learner-deploy-1', context: { channel: 'email', content_id: 'lesson-1' } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ fallback: true });

    // A trigger no feature-service folds (so its wait times out) and a record that is no event.
    const trigger = encodeEngagementEvent(
      {
        eventId: randomUUID(),
        entityId: 'learner-deploy-2',
        eventType: 'lesson_sent',
        eventTimeMs: Date.now(),
        channel: 'email',
        contentId: 'lesson-2',
        attributes: {},
      },
      'json',
    );
    const { publisher } = app.get<InferenceInfrastructure>(IS_INFRASTRUCTURE);
    await publisher.publish(Topics.engagementEvents, [
      {
        key: 'learner-deploy-2',
        value: Buffer.from(trigger.bytes),
        headers: { [CONTENT_TYPE_HEADER]: trigger.contentType },
      },
      { key: 'learner-deploy-3', value: Buffer.from('not an event'), headers: {} },
    ]);
    await waitFor(
      async () => {
        scraped = parseExposition(await (await fetch(`${url}/metrics`)).text());
        return (
          series('pulse_inference_publish_latency_seconds_count{model="lesson_completion"}').some((s) => s.value > 0) &&
          series('pulse_inference_undecodable_events_total').some((s) => s.value > 0) &&
          series('pulse_consumer_lag').length > 0
        );
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  }, 60_000);

  it('exports every metric the dashboard and the rules query, under those names', () => {
    const names = queried(
      `${dashboardQueries()
        .map((q) => q.expr)
        .join('\n')}\n${read(RULES)}`,
    );
    expect(names.filter((n) => !scraped.families.has(n))).toEqual([]);
  });

  it('counts the fallback where InferenceNoChampion looks, and not as the run-time failures InferenceFallbackRateHigh counts', () => {
    const rules = ruleExpressions();
    const [noChampion] = selectors(rules.get('InferenceNoChampion')!);
    expect(scraped.samples.filter((s) => matches(noChampion, s)).map((s) => [s.labels, s.value])).toEqual([
      [{ model: MODEL, reason: 'no champion' }, 2],
    ]);
    const [failures, actedOn] = selectors(rules.get('InferenceFallbackRateHigh')!);
    expect(failures.metric).toBe('pulse_inference_fallbacks_total');
    expect(scraped.samples.filter((s) => matches(failures, s))).toEqual([]);
    // The denominator: both fallback answers (HTTP and Kafka) are acted-on predictions.
    const acted = scraped.samples.filter((s) => matches(actedOn, s));
    expect(acted.map((s) => `${s.labels.path} ${s.labels.alias} ${s.labels.fallback}`).sort()).toEqual([
      'http fallback true',
      'kafka fallback true',
    ]);
  });

  it('counts the trigger and its feature-wait timeout where InferenceFeatureWaitTimeouts looks', () => {
    const [timeouts, triggers] = selectors(ruleExpressions().get('InferenceFeatureWaitTimeouts')!);
    expect(scraped.samples.filter((s) => matches(timeouts, s)).map((s) => s.value)).toEqual([1]);
    expect(scraped.samples.filter((s) => matches(triggers, s)).map((s) => s.value)).toEqual([1]);
  });

  it('reports the lag of the events topic where InferenceConsumerLagHigh looks', () => {
    const [lag] = selectors(ruleExpressions().get('InferenceConsumerLagHigh')!);
    expect(scraped.samples.filter((s) => matches(lag, s)).length).toBeGreaterThan(0);
  });

  it('every dashboard selector of a metric the service has samples of matches some', () => {
    const withSamples = new Set(scraped.samples.map((s) => s.name));
    const unmatched = dashboardQueries().flatMap((q) =>
      selectors(q.expr)
        .filter((s) => withSamples.has(s.series) && !scraped.samples.some((x) => matches(s, x)))
        .map((s) => `${q.panel}: ${s.series}`),
    );
    expect(unmatched).toEqual([]);
    // Only the loads and serving versions, which need a registered version, went unchecked.
    const families = new Set([...withSamples].map((n) => n.replace(HISTOGRAM_PARTS, '')));
    const shown = queried(
      dashboardQueries()
        .map((q) => q.expr)
        .join('\n'),
    );
    expect(shown.filter((m) => !families.has(m)).sort()).toEqual([
      'pulse_inference_model_loads_total',
      'pulse_inference_serving_version',
    ]);
  });
});
