import { servicePort } from '@pulse/contracts';
import { auc } from '@pulse/ml-metrics';
import { DEFAULT_ALERT_RULE_OPTIONS, estimatedAuc } from '@pulse/monitoring';
import { createMonitoringServiceMetrics, loadMonitoringServiceConfig } from '@pulse/monitoring-service';
import { loadConfig } from '@pulse/nest-common';
import { createHttpMetrics, ensureDefaultMetrics } from '@pulse/observability';
import {
  dashboardVariables as variablesOf,
  expectAutoscaledDeployment,
  expectComposeOnKafkaAndPostgres,
  expectKafkaAndPostgresFromConfig,
  expectOnlyVariablesRead,
  expectProbesAnswer,
  expectPrometheusScrapes,
  deployQueries,
  labelProblems,
  manifestDocument,
  exportedMetrics,
  parseExposition,
  ruleExpressions as rulesOf,
  selected,
  selectors,
  seriesOf,
  sumOf,
  variablesRead,
  waitFor,
  type Exposition,
  type Sample,
  type Selector,
} from '@pulse/testing';
import {
  championPrediction,
  outcomes,
  HARNESS_FEATURES,
  MonitoringServiceHarness,
  seededRandom,
  type Sent,
} from './monitoring-service.harness';

// Grafana, Prometheus, Docker and Kubernetes can't run here, so keep the models dashboard's
// monitoring panels, the alert rules and the manifests honest: every pulse_monitoring_* series they
// query is one monitoring-service exports, selected by labels it has; on the running service the
// series the rules select are there with the values they compare; the manifests set only variables
// it reads and probe paths it answers.
const SERVICE = 'monitoring-service';
const PORT = servicePort(SERVICE);
const DASHBOARD = 'deploy/grafana/dashboards/models.json';
const RULES = 'deploy/prometheus/monitoring-alert-rules.yml';
const MANIFEST = 'deploy/k8s/monitoring-service.yaml';

const ruleExpressions = () => rulesOf(RULES);
const dashboardVariables = () => variablesOf(DASHBOARD);
const manifest = (kind: string) => manifestDocument(MANIFEST, kind);
const variablesReadByConfig = () => variablesRead((env) => loadConfig({ load: loadMonitoringServiceConfig, env }));

/** A selector of monitoring-service's series: one of its metrics, or anything scraped from its job. */
const isMonitoring = (s: Selector) =>
  s.metric.startsWith('pulse_monitoring_') || s.matchers.some((m) => m.label === 'job' && m.value === SERVICE);

const registryMetrics = exportedMetrics(createMonitoringServiceMetrics, createHttpMetrics, ensureDefaultMetrics);

/** Every query that reads monitoring-service (the models dashboard also shows training's), with the selectors of its series. */
const allQueries = () => deployQueries(DASHBOARD, RULES, isMonitoring);

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
    // Grouping and legends only where every series of the query is monitoring-service's.
    expect(labelProblems(allQueries(), registryMetrics)).toEqual([]);
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
    expectPrometheusScrapes({ service: SERVICE, port: PORT, rules: RULES, queries: allQueries() });
  });
});

describe('compose and Kubernetes run monitoring-service on Kafka and Postgres, configured by what it reads', () => {
  const deployment = manifest('Deployment');

  it('compose: its own entry point and port, the real Kafka and Postgres, no Redis, scraped after it starts', () => {
    expectComposeOnKafkaAndPostgres(SERVICE, PORT);
  });

  it('Kubernetes: a Deployment the autoscaler sizes, a Service on its port', () => {
    expectAutoscaledDeployment({ service: SERVICE, port: PORT, minReplicas: 1, manifest });
  });

  it('Kubernetes: Kafka from the shared config, Postgres and Kafka security from secrets, no Redis, no API tokens', () => {
    expectKafkaAndPostgresFromConfig(deployment);
    // The API only reads and checks no token: a tokens secret would suggest a protection it has not.
    expect(variablesReadByConfig().has('PULSE_API_TOKENS')).toBe(false);
    expect(deployment).not.toContain('pulse-api-tokens');
  });

  it('sets only variables the service reads', () => {
    expectOnlyVariablesRead({
      service: SERVICE,
      deployment,
      known: variablesReadByConfig(),
      required: ['KAFKA_BROKERS', 'DATABASE_URL', 'PORT', 'MONITORING_WINDOWS', 'MONITORING_MODELS'],
    });
  });
});

// The world of the e2e spec, smaller: five standard-normal inputs, a calibrated score. Day 0 is the
// reference's world; on day 1 every input shifts by 1.5 and completions no longer follow the score
// (so the realised AUC falls to about 0.5); a few predictions of day 2 close day 1's window.
const MODEL = 'lesson_completion';
const DAY = 86_400_000;
const D0 = Math.floor(Date.now() / DAY) * DAY - 20 * DAY;
const TRAINING_AUC = 0.8;

const { rand, normal } = seededRandom(29);

function day(d: number, n: number, shift: number, followsScore: boolean): Sent[] {
  return Array.from({ length: n }, (_, i) => {
    const asOfMs = D0 + d * DAY + Math.floor((i / n) * DAY);
    const x = HARNESS_FEATURES.map(() => normal() + shift);
    const score = 1 / (1 + Math.exp(-(x[0] - 0.5 * x[1] + 0.3 * normal())));
    const trigger = `deploy-${d}-${i}`;
    return {
      completes: rand() < (followsScore ? score : 0.5),
      prediction: championPrediction({
        model: MODEL,
        trigger,
        entityId: `learner-${d}-${i % 100}`,
        contentId: `lesson-${d}-${i}`,
        asOfMs,
        score,
        inputs: x,
      }),
    };
  });
}

describe('the running service emits the series the dashboard and the rules select', () => {
  const days = [day(0, 300, 0, true), day(1, 300, 1.5, false), day(2, 20, 1.5, false)];
  const all = days.flat();
  const h = new MonitoringServiceHarness(MODEL);
  let url: string;
  let scraped: Exposition;
  const series = (selector: string) => seriesOf(scraped, selector);
  const total = (selector: string) => sumOf(scraped, selector);
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
    // /health, for operators and `pulse status`: Postgres and Kafka both answer.
    await expectProbesAnswer({
      deployment: manifest('Deployment'),
      url,
      health: { status: 'ok', info: { postgres: { status: 'up' }, kafka: { status: 'up' } } },
      metricPrefix: 'pulse_monitoring_',
    });
  });

  it('exports every metric the dashboard and the rules query, under those names', () => {
    const names = [...new Set(allQueries().flatMap((q) => q.selectors.map((s) => s.metric)))];
    expect(names.filter((n) => !scraped.families.has(n))).toEqual([]);
  });

  it('every selector of the rules and the dashboard matches some sample (up aside)', () => {
    const unmatched = allQueries().flatMap((q) =>
      q.selectors.filter((s) => selected(scraped, s).length === 0).map((s) => `${q.where}: ${s.series}`),
    );
    expect(unmatched).toEqual([]);
  });

  it('reports 1 for the rules that fired where MonitoringModelAlertFiring looks', () => {
    const [gauge] = selectors(ruleExpressions().get('MonitoringModelAlertFiring')!);
    const byRule = new Map(selected(scraped, gauge).map((s) => [s.labels.rule, s]));
    expect(byRule.get('feature_drift')).toMatchObject({ labels: { model: MODEL }, value: 1 });
    expect(byRule.get('auc_drop')).toMatchObject({ labels: { model: MODEL }, value: 1 });
    // Each firing counted as a transition; one retraining request for the model (the first alert's),
    // the second alert falling within MONITORING_RETRAIN_COOLDOWN_MS.
    expect(total(`pulse_monitoring_alerts_total{rule="feature_drift", transition="fired"}`)).toBe(1);
    expect(total(`pulse_monitoring_alerts_total{rule="auc_drop", transition="fired"}`)).toBe(1);
    expect(total(`pulse_monitoring_training_requests_total{model="${MODEL}"}`)).toBe(1);
  });

  it('reports realised, training and estimated AUC where MonitoringAucBelowTraining compares them', () => {
    const [realised, training, predictions] = selectors(ruleExpressions().get('MonitoringAucBelowTraining')!);
    const key = (s: Sample) => `${s.labels.model} v${s.labels.version} ${s.labels.window}`;
    const r = selected(scraped, realised);
    const t = new Map(selected(scraped, training).map((s) => [key(s), s.value]));
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
    const counted = selected(scraped, predictions);
    expect(counted.map((s) => [s.labels.model, s.labels.version, s.value])).toEqual([[MODEL, '1', all.length]]);
  });

  it('counts predictions and matured labels where MonitoringLabelsNotMaturing compares their rates', () => {
    const [now, earlier, matured] = selectors(ruleExpressions().get('MonitoringLabelsNotMaturing')!);
    const sum = (s: Selector) => selected(scraped, s).reduce((a, x) => a + x.value, 0);
    expect(sum(now)).toBe(all.length);
    expect(sum(earlier)).toBe(all.length);
    // Every prediction labelled once, by the outcome the world drew.
    const byLabel = Object.fromEntries(selected(scraped, matured).map((x) => [x.labels.label, x.value]));
    const completed = all.filter((s) => s.completes).length;
    expect(byLabel).toEqual({ '0': all.length - completed, '1': completed });
    expect(new Set(selected(scraped, matured).map((x) => x.labels.model))).toEqual(new Set([MODEL]));
  });

  it('reports the lag of the predictions and the events topics where MonitoringConsumerLagHigh looks', () => {
    const [lag] = selectors(ruleExpressions().get('MonitoringConsumerLagHigh')!);
    const found = selected(scraped, lag);
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
