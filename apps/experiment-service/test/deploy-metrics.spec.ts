import { CONTENT_TYPE_HEADER, servicePort } from '@pulse/contracts';
import { createExperimentServiceMetrics, loadExperimentServiceConfig } from '@pulse/experiment-service';
import { SRM_THRESHOLD } from '@pulse/experiment-stats';
import { loadConfig } from '@pulse/nest-common';
import { createHttpMetrics, ensureDefaultMetrics } from '@pulse/observability';
import {
  dashboardQueries as panelQueries,
  dashboardText as dashboardTextOf,
  dashboardVariables,
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
  queriedMetrics as queried,
  readRepoFile as read,
  ruleExpressions as rulesOf,
  selected,
  selectors,
  seriesOf,
  sumOf,
  variablesRead,
  waitFor,
  type Exposition,
  type Selector,
} from '@pulse/testing';
import { ADMIN_TOKEN, ExperimentServiceHarness } from './experiment-service.harness';

// Grafana, Prometheus, Docker and Kubernetes can't run here, so keep the experiments dashboard, the
// alert rules and the manifests honest: every pulse_* series they query is one experiment-service
// exports, selected by labels it has; on the running service the label values the rules select on
// are the ones it emits; the manifests set only variables it reads and probe paths it answers.
const SERVICE = 'experiment-service';
const PORT = servicePort(SERVICE);
const DASHBOARD = 'deploy/grafana/dashboards/experiments.json';
const RULES = 'deploy/prometheus/experiment-alert-rules.yml';
const MANIFEST = 'deploy/k8s/experiment-service.yaml';

const dashboardQueries = () => panelQueries(DASHBOARD);
const ruleExpressions = () => rulesOf(RULES);
const manifest = (kind: string) => manifestDocument(MANIFEST, kind);
const dashboardText = () => dashboardTextOf(DASHBOARD);

const registryMetrics = exportedMetrics(createExperimentServiceMetrics, createHttpMetrics, ensureDefaultMetrics);

const allQueries = () => deployQueries(DASHBOARD, RULES);

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
    const variable = dashboardVariables(DASHBOARD).find((v) => v.name === 'experiment')!;
    expect(variable.definition).toMatch(/, experiment\)$/);
    const names = queried(variable.definition!);
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
    expect(labelProblems(allQueries(), registryMetrics)).toEqual([]);
  });

  it('names only jobs Prometheus scrapes, and scrapes experiment-service on its port', () => {
    expectPrometheusScrapes({ service: SERVICE, port: PORT, rules: RULES, queries: allQueries() });
  });
});

describe('compose and Kubernetes run experiment-service on Kafka and Postgres, configured by what it reads', () => {
  const deployment = manifest('Deployment');

  it('compose: its own entry point and port, the real Kafka and Postgres, no Redis, scraped after it starts', () => {
    expectComposeOnKafkaAndPostgres(SERVICE, PORT);
  });

  it('Kubernetes: a Deployment the autoscaler sizes (two copies at least), a Service on its port', () => {
    expectAutoscaledDeployment({ service: SERVICE, port: PORT, minReplicas: 2, manifest });
  });

  it('Kubernetes: Kafka from the shared config, Postgres and the API tokens from secrets, no Redis', () => {
    expectKafkaAndPostgresFromConfig(deployment);
    expect(deployment).toContain('- secretRef: { name: pulse-api-tokens, optional: true }');
  });

  it('sets only variables the service reads, the API tokens among them', () => {
    expectOnlyVariablesRead({
      service: SERVICE,
      deployment,
      known: variablesRead((env) => loadConfig({ load: loadExperimentServiceConfig, env })),
      required: ['KAFKA_BROKERS', 'DATABASE_URL', 'PORT', 'PULSE_API_TOKENS'],
    });
  });
});

describe('the running service emits the series the dashboard and the rules select', () => {
  // A running experiment assigned through the API, and a draft (the API exposes nobody to it) whose
  // first exposures are written below, skewed 60/40.
  const BALANCED = 'deploy-balanced';
  const SKEWED = 'deploy-skewed';
  const UNITS = Array.from({ length: 40 }, (_, i) => `learner-deploy-${i}`);
  const h = new ExperimentServiceHarness();
  let url: string;
  let scraped: Exposition;
  const series = (selector: string) => seriesOf(scraped, selector);
  const total = (selector: string) => sumOf(scraped, selector);
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
    // /health, for operators and `pulse status`: Postgres and Kafka both answer.
    await expectProbesAnswer({
      deployment: manifest('Deployment'),
      url,
      health: { status: 'ok', info: { postgres: { status: 'up' }, kafka: { status: 'up' } } },
      metricPrefix: 'pulse_experiment_',
    });
  });

  it('exports every metric the dashboard and the rules query, under those names', () => {
    const names = queried(`${dashboardText()}\n${read(RULES)}`);
    expect(names.filter((n) => !scraped.families.has(n))).toEqual([]);
  });

  it('reports the SRM p-value where ExperimentSampleRatioMismatch looks: under the threshold for the skewed experiment only', () => {
    const [srm] = selectors(ruleExpressions().get('ExperimentSampleRatioMismatch')!);
    const byExperiment = new Map(selected(scraped, srm).map((s) => [s.labels.experiment, s]));
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
    expect(selected(scraped, rejected).map((s) => s.value)).toEqual([1]);
    const consumed = selected(scraped, all);
    expect(Object.fromEntries(consumed.map((s) => [s.labels.outcome, s.value]))).toEqual({
      new: exposedUnits.size,
      repeat: total('pulse_experiment_exposures_published_total') - exposedUnits.size,
      rejected: 1,
    });
  });

  it('counts published and recorded exposures where ExperimentExposuresNotRecorded compares them', () => {
    const [published, consumed] = selectors(ruleExpressions().get('ExperimentExposuresNotRecorded')!);
    const sum = (s: Selector) => sumOf(scraped, s);
    expect(sum(published)).toBeGreaterThanOrEqual(UNITS.length);
    expect(sum(consumed)).toBe(sum(published) + 1);
    expect(series('pulse_experiment_exposures_published_total').map((s) => s.labels.experiment)).toContain(BALANCED);
  });

  it('reports the lag of the exposures topic where ExperimentExposureConsumerLagHigh looks', () => {
    const [lag] = selectors(ruleExpressions().get('ExperimentExposureConsumerLagHigh')!);
    const found = selected(scraped, lag);
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
        .filter((s) => selected(scraped, s).length === 0)
        .map((s) => `${q.panel}: ${s.series}`),
    );
    expect(unmatched).toEqual([]);
  });
});
