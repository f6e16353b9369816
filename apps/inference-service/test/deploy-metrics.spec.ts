import type { AddressInfo } from 'node:net';
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
import {
  createTestDatabase,
  dashboardQueries as panelQueries,
  dashboardText as dashboardTextOf,
  expectPrometheusScrapes,
  HISTOGRAM_PARTS,
  deployQueries,
  labelProblems,
  exportedMetrics,
  parseExposition,
  queriedMetrics as queried,
  randomRedisPrefix,
  readRepoFile as read,
  ruleExpressions as rulesOf,
  selected,
  selectors,
  seriesOf,
  testRedisUrl,
  waitFor,
  type Exposition,
  type TestDatabase,
} from '@pulse/testing';
import { Registry } from 'prom-client';

// Grafana and Prometheus can't run here (no Docker), so keep the inference dashboard and alert rules
// honest: every pulse_* series they query is one inference-service exports, selected by labels it
// has, and on the running service the label values the rules select on are the ones it emits.
const DASHBOARD = 'deploy/grafana/dashboards/inference.json';
const RULES = 'deploy/prometheus/inference-alert-rules.yml';

const dashboardQueries = () => panelQueries(DASHBOARD);
const ruleExpressions = () => rulesOf(RULES);
const dashboardText = () => dashboardTextOf(DASHBOARD);

const registryMetrics = exportedMetrics(createInferenceServiceMetrics, createHttpMetrics, ensureDefaultMetrics);

const allQueries = () => deployQueries(DASHBOARD, RULES);

describe('deploy/ queries only metrics inference-service exports', () => {
  it.each([DASHBOARD, RULES])('%s', (file) => {
    const names = queried(file.endsWith('.json') ? dashboardText() : read(file));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !registryMetrics.has(n))).toEqual([]);
  });

  it('the dashboard shows every inference metric, the consumer lag and the HTTP latency', () => {
    const shown = new Set(queried(dashboardText()));
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
    expect(labelProblems(allQueries(), registryMetrics)).toEqual([]);
  });

  it('names only jobs Prometheus scrapes, and scrapes inference-service on its port', () => {
    expectPrometheusScrapes({ service: 'inference-service', port: 3003, rules: RULES, queries: allQueries() });
  });
});

describe('the running service emits the series the dashboard and the rules select (no champion: every answer is the fallback)', () => {
  const MODEL = 'lesson_completion';
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let scraped: Exposition;
  const series = (selector: string) => seriesOf(scraped, selector);

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
    const names = queried(`${dashboardText()}\n${read(RULES)}`);
    expect(names.filter((n) => !scraped.families.has(n))).toEqual([]);
  });

  it('counts the fallback where InferenceNoChampion looks, and not as the run-time failures InferenceFallbackRateHigh counts', () => {
    const rules = ruleExpressions();
    const [noChampion] = selectors(rules.get('InferenceNoChampion')!);
    expect(selected(scraped, noChampion).map((s) => [s.labels, s.value])).toEqual([
      [{ model: MODEL, reason: 'no champion' }, 2],
    ]);
    const [failures, actedOn] = selectors(rules.get('InferenceFallbackRateHigh')!);
    expect(failures.metric).toBe('pulse_inference_fallbacks_total');
    expect(selected(scraped, failures)).toEqual([]);
    // The denominator: both fallback answers (HTTP and Kafka) are acted-on predictions.
    const acted = selected(scraped, actedOn);
    expect(acted.map((s) => `${s.labels.path} ${s.labels.alias} ${s.labels.fallback}`).sort()).toEqual([
      'http fallback true',
      'kafka fallback true',
    ]);
  });

  it('counts the trigger and its feature-wait timeout where InferenceFeatureWaitTimeouts looks', () => {
    const [timeouts, triggers] = selectors(ruleExpressions().get('InferenceFeatureWaitTimeouts')!);
    expect(selected(scraped, timeouts).map((s) => s.value)).toEqual([1]);
    expect(selected(scraped, triggers).map((s) => s.value)).toEqual([1]);
  });

  it('reports the lag of the events topic where InferenceConsumerLagHigh looks', () => {
    const [lag] = selectors(ruleExpressions().get('InferenceConsumerLagHigh')!);
    expect(selected(scraped, lag).length).toBeGreaterThan(0);
  });

  it('every dashboard selector of a metric the service has samples of matches some', () => {
    const withSamples = new Set(scraped.samples.map((s) => s.name));
    const unmatched = dashboardQueries().flatMap((q) =>
      selectors(q.expr)
        .filter((s) => withSamples.has(s.series) && selected(scraped, s).length === 0)
        .map((s) => `${q.panel}: ${s.series}`),
    );
    expect(unmatched).toEqual([]);
    // Only the loads and serving versions, which need a registered version, went unchecked.
    const families = new Set([...withSamples].map((n) => n.replace(HISTOGRAM_PARTS, '')));
    const shown = queried(dashboardText());
    expect(shown.filter((m) => !families.has(m)).sort()).toEqual([
      'pulse_inference_model_loads_total',
      'pulse_inference_serving_version',
    ]);
  });
});
