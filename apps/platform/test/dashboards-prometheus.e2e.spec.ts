/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTED_SERVICES, portVariable, startPlatform, type RunningPlatform } from '@pulse/platform';
import {
  concreteQueries,
  labelValuesQuery,
  panelQueries,
  readDashboards,
  staticValues,
  type ConcreteQuery,
  type PanelQuery,
  type Variable,
} from './dashboard-queries';
import {
  prometheusConfig,
  readScrapeConfig,
  startPrometheus,
  type PrometheusServer,
  type Sample,
  type ScrapeTarget,
} from './prometheus-server';
import {
  capturingShared,
  httpRound,
  matureSpanInClosedWindow,
  publishLabelledTriggers,
  publishLateTrigger,
  publishRefusedRecords,
  publishTriggers,
  requestTraining,
  runExperiment,
  trainingSettled,
} from './platform-traffic';

// deploy/grafana and deploy/prometheus proven on a real Prometheus (Debian's binary) scraping the
// embedded platform under deploy/prometheus/prometheus.yml's jobs every second: every query of every
// provisioned dashboard panel, as Grafana would send it, must return data.
const REPO = join(__dirname, '..', '..', '..');
const DASHBOARDS = join(REPO, 'deploy', 'grafana', 'dashboards');
const PROMETHEUS_DIR = join(REPO, 'deploy', 'prometheus');

// 35 days of 40 learners: enough history for lesson_completion's first version to pass its gates
// (dropout_risk's labels need more, so its job fails: both outcomes have series).
const LEARNERS = 40;
const env: Record<string, string> = {
  SIMULATOR_LEARNERS: String(LEARNERS),
  SIMULATOR_DAYS: '35',
  SIMULATOR_RATE: '0',
  // A trigger whose features never arrive times out after 2 s instead of 5.
  INFERENCE_FEATURE_WAIT_MS: '2000',
  // monitoring-service: one window size, evaluated every second; a window's fallback-share alert
  // from 20 predictions (the simulated week has a few hundred, most before the first champion); no
  // retraining on its alerts, so the champion stays the one trained first.
  MONITORING_WINDOWS: '7d',
  MONITORING_EVALUATE_MS: '1000',
  MONITORING_MIN_PREDICTIONS: '20',
  MONITORING_RETRAIN: 'false',
};
const MONITORING_WINDOW_MS = 7 * 86_400_000;
// lesson_completion's label horizon (its spec): labels of predictions older than this are final.
const LABEL_HORIZON_MS = 48 * 3_600_000;
for (const s of HOSTED_SERVICES) env[portVariable(s.name)] = '0';

// The one allowance: monitoring-service's metrics have no source while the platform does not host it.
const MONITORING_HOSTED = HOSTED_SERVICES.some((s) => s.name === 'monitoring-service');
const MONITORING_METRIC = /\bpulse_monitoring_\w+/;
const allowedWithoutData = (q: PanelQuery) => !MONITORING_HOSTED && MONITORING_METRIC.test(q.expr);
const allowedEmpty = (v: Variable) => !MONITORING_HOSTED && MONITORING_METRIC.test(JSON.stringify(v.query ?? ''));

const dashboards = readDashboards(DASHBOARDS);
const describeQuery = (q: PanelQuery | ConcreteQuery) => `${q.file} › ${'shown' in q ? q.shown : q.panel} [${q.refId}]`;
const allowed = dashboards.flatMap(panelQueries).filter(allowedWithoutData);

const scrapeConfig = readScrapeConfig(readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8'));

/** A value a panel can show: NaN (e.g. a quantile of no observations in the window) is no data. */
const hasData = (samples: readonly Sample[]) => samples.some((s) => s.value !== 'NaN');

describe('Grafana dashboards on a real Prometheus scraping the embedded platform', () => {
  let platform: RunningPlatform | undefined;
  let prometheus: PrometheusServer | undefined;
  let targets: ScrapeTarget[] = [];
  let emptyVariables: string[] = [];
  const answers: { query: ConcreteQuery; samples?: Sample[]; error?: string }[] = [];

  /** Every variable's values and every panel query's answer, as Prometheus has them now. */
  async function evaluate(prom: PrometheusServer): Promise<void> {
    emptyVariables = [];
    answers.length = 0;
    for (const dashboard of dashboards) {
      const values = new Map<string, string[]>();
      for (const variable of dashboard.templating?.list ?? []) {
        if (variable.type !== 'query') {
          values.set(variable.name, staticValues(variable));
          continue;
        }
        const { match, label } = labelValuesQuery(variable);
        const params = match ? `?${new URLSearchParams({ 'match[]': match })}` : '';
        values.set(variable.name, await prom.api<string[]>(`/api/v1/label/${label}/values${params}`));
        if (values.get(variable.name)!.length === 0 && !allowedEmpty(variable))
          emptyVariables.push(`${dashboard.file}: $${variable.name}`);
      }
      for (const query of concreteQueries(dashboard, values)) {
        try {
          answers.push({ query, samples: await prom.query(query.concrete) });
        } catch (err) {
          answers.push({ query, error: (err as Error).message });
        }
      }
    }
  }

  const failures = () =>
    answers
      .filter((a) => a.error !== undefined || (!hasData(a.samples!) && !allowedWithoutData(a.query)))
      .map((a) => `${describeQuery(a.query)}: ${a.error ?? `no data for ${a.query.concrete}`}`);

  beforeAll(async () => {
    const capture = capturingShared(HOSTED_SERVICES);
    platform = await startPlatform({ env, services: capture.services, host: '127.0.0.1', logger: false });
    const running = new Map(platform.services.map((s) => [s.name, s]));
    targets = scrapeConfig.jobs
      .filter((j) => running.has(j.job))
      .map((j) => ({ ...j, address: `127.0.0.1:${running.get(j.job)!.port}` }));
    const rules = scrapeConfig.ruleFiles.map((f) => join(PROMETHEUS_DIR, f.split('/').pop()!));
    const prom = (prometheus = await startPrometheus(prometheusConfig(targets, rules, 1)));

    const shared = capture.shared();
    await publishRefusedRecords(shared);
    await trainingSettled(platform, 120_000);
    // dropout_risk's job fails on this short history, quickly: a second finished job, scraped
    // (settled below, after the other traffic).
    await requestTraining(platform, platform.generatedApiToken!, 'dropout_risk');
    if (MONITORING_HOSTED)
      await publishLabelledTriggers(
        shared,
        platform,
        matureSpanInClosedWindow(Date.now(), MONITORING_WINDOW_MS, LABEL_HORIZON_MS),
        60,
      );
    await runExperiment(platform, platform.generatedApiToken!, 'dashboards-check', 10);
    await publishLateTrigger(shared, platform);
    await trainingSettled(platform, 60_000);

    // Traffic in every rate window until every query has data (or the time is up: the tests then
    // name what has none); each job scraped through 15 s of it at least. It stops just before the
    // last evaluation.
    const started = Date.now();
    for (;;) {
      await httpRound(platform, LEARNERS);
      await publishTriggers(shared, LEARNERS, 10);
      if (Date.now() - started < 15_000) continue;
      await evaluate(prom);
      if (failures().length === 0 || Date.now() - started > 60_000) break;
    }
  }, 170_000);

  afterAll(async () => {
    await prometheus?.stop();
    await platform?.close();
  }, 60_000);

  it('scrapes every hosted service under its job of deploy/prometheus/prometheus.yml, and each is up', async () => {
    expect(scrapeConfig.jobs.map((j) => j.job).sort()).toEqual(platform!.services.map((s) => s.name).sort());
    const up = await prometheus!.query('up');
    expect(Object.fromEntries(up.map((s) => [s.metric.job, s.value]))).toEqual(
      Object.fromEntries(targets.map((t) => [t.job, '1'])),
    );
  });

  it('loads the alert rule files and evaluates every rule without error', async () => {
    const { groups } = await prometheus!.api<{
      groups: { file: string; rules: { name: string; health: string; lastError?: string }[] }[];
    }>('/api/v1/rules');
    expect(new Set(groups.map((g) => g.file.split('/').pop())).size).toBe(scrapeConfig.ruleFiles.length);
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual(
      [],
    );
  });

  it('has values for every dashboard variable', () => expect(emptyVariables).toEqual([]));

  it('runs every panel query of every dashboard, and each returns data', () => {
    expect(dashboards.map((d) => d.file)).toEqual(
      expect.arrayContaining(['platform-overview.json', 'models.json', 'inference.json', 'experiments.json']),
    );
    for (const d of dashboards) expect([d.file, panelQueries(d).length > 0]).toEqual([d.file, true]);
    expect(answers.length).toBeGreaterThanOrEqual(dashboards.flatMap(panelQueries).length);
    // Refused queries fail whether allowed or not: the allowance is for data only.
    expect(failures()).toEqual([]);
  });

  it('lets off monitoring-service’s queries only while the running platform does not host it', () => {
    expect(platform!.services.some((s) => s.name === 'monitoring-service')).toBe(MONITORING_HOSTED);
    if (MONITORING_HOSTED) expect(allowed).toEqual([]);
  });

  if (allowed.length > 0)
    it.each(allowed.map((q) => [describeQuery(q), q]))(
      'allows %s no data while monitoring-service is not hosted (still run: Prometheus must accept it)',
      (_, q) => {
        const ran = answers.filter(
          (a) => a.query.file === q.file && a.query.panel === q.panel && a.query.refId === q.refId,
        );
        expect(ran.length).toBeGreaterThan(0);
      },
    );
});
