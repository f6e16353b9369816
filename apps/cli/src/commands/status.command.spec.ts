/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { learningEngagementRegistry } from '@pulse/features';
import { DEFAULT_MODELS } from '@pulse/models';
import { createSimulation } from '@pulse/simulator';
import { initStorage, ModelRegistryRepository } from '@pulse/storage';
import { createTestDatabase, waitFor, type TestDatabase } from '@pulse/testing';
import { memorySource, runTrainingJob } from '@pulse/training-jobs';
import { platformStatus, type PlatformStatus } from './status/platform-status';
import { formatPlatformStatus } from './status/status-format';
import { statusTargets, type StatusTarget } from './status/status-targets';

const root = path.resolve(__dirname, '../../../..');
const SERVICES = [
  'feature-service',
  'training-service',
  'inference-service',
  'experiment-service',
  'monitoring-service',
] as const;
type Service = (typeof SERVICES)[number];

type Routes = Record<string, [status: number, body: unknown]>;

/** A stand-in service answering the given paths (JSON, or text for a string body), 404 otherwise. */
async function fakeService(routes: Routes): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    const route = routes[req.url ?? ''];
    if (!route) return void res.writeHead(404).end();
    const [status, body] = route;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A service that accepts connections and never says a word. */
async function silentService(): Promise<{ url: string; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}

/** A port nothing listens on: bound, then released. */
async function closedPortUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

const up = (checks: Record<string, unknown> = { postgres: { status: 'up' } }): Routes => ({
  '/health': [200, { status: 'ok', details: checks }],
  '/health/live': [200, { status: 'ok' }],
  '/metrics': [200, '# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1\n'],
});

// The child's environment without the caller's PULSE_<SERVICE>_URL, which would move the targets.
const cleanEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^PULSE_[A-Z_]+_SERVICE_URL$/.test(k)));

function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'dist/apps/cli/main.js'), 'status', ...args], {
      env: { ...cleanEnv(), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

describe('pulse status: what each state looks like (stand-in services)', () => {
  const servers: { close(): void }[] = [];
  afterAll(() => servers.forEach((s) => s.close()));
  const serve = async (routes: Routes) => {
    const s = await fakeService(routes);
    servers.push(s);
    return s.url;
  };

  it('shows degraded with the failing check, down, lag, aliases against what is served, quality and alerts', async () => {
    const t0 = Date.parse('2026-03-02T12:00:00Z');
    const targets: StatusTarget[] = [
      {
        name: 'feature-service',
        url: await serve({
          ...up(),
          '/metrics': [
            200,
            'pulse_consumer_lag{topic="engagement.events.v1",partition="0"} 40\n' +
              'pulse_consumer_lag{topic="engagement.events.v1",partition="1"} 2\n',
          ],
        }),
      },
      {
        name: 'training-service',
        url: await serve({
          ...up(),
          '/v1/models': [
            200,
            {
              models: [
                { name: 'dropout_risk', aliases: {} },
                { name: 'lesson_completion', aliases: { champion: 3, challenger: 4 } },
              ],
            },
          ],
        }),
      },
      {
        // Redis fails: /health answers 503 naming it, the process itself is live.
        name: 'inference-service',
        url: await serve({
          ...up(),
          '/health': [
            503,
            {
              status: 'error',
              details: { postgres: { status: 'up' }, redis: { status: 'down', message: 'connect ECONNREFUSED' } },
            },
          ],
          '/v1/models': [
            200,
            { models: [{ model: 'lesson_completion', aliases: { champion: 2, challenger: 4, shadow: null } }] },
          ],
        }),
      },
      {
        // Neither ready nor live: down.
        name: 'experiment-service',
        url: await serve({
          '/health': [503, { status: 'error', details: { postgres: { status: 'down', message: 'timeout' } } }],
          '/health/live': [500, 'Internal Server Error'],
          '/v1/experiments': [200, { experiments: [{ status: 'running' }, { status: 'stopped' }] }],
        }),
      },
      {
        name: 'monitoring-service',
        url: await serve({
          ...up(),
          '/metrics': [
            200,
            'pulse_monitoring_consumer_lag{topic="predictions.lesson_completion.v1",partition="0"} 7\n',
          ],
          '/v1/monitoring/lesson_completion': [
            200,
            {
              model: 'lesson_completion',
              version: 3,
              windows: [
                {
                  window: '1h',
                  start: '2026-03-02T10:00:00.000Z',
                  end: '2026-03-02T11:00:00.000Z',
                  closed: true,
                  version: 3,
                  predictions: 412,
                  labelled: 230,
                  quality: { n: 230, auc: 0.8123, logloss: 0.45 },
                  estimatedAuc: 0.7988,
                  trainingAuc: 0.856,
                  driftedFeatures: 2,
                  drift: { a: {}, b: {}, c: {}, d: {} },
                },
                { window: '1h', start: '2026-03-02T11:00:00.000Z', end: '2026-03-02T12:00:00.000Z', closed: false },
              ],
            },
          ],
          '/v1/alerts?firing=true': [
            200,
            {
              alerts: [
                {
                  rule: 'auc_drop',
                  model: 'lesson_completion',
                  kind: 'quality',
                  firing: true,
                  firedAtMs: t0 - 90 * 60_000,
                  value: 0.7,
                  threshold: 0.7704,
                  message: 'lesson_completion v3: AUC 0.700 below 0.770',
                },
              ],
            },
          ],
        }),
      },
    ];
    const status = await platformStatus(targets, 2000);
    expect(status.services.map((s) => [s.name, s.state])).toEqual([
      ['feature-service', 'up'],
      ['training-service', 'up'],
      ['inference-service', 'degraded'],
      ['experiment-service', 'down'],
      ['monitoring-service', 'up'],
    ]);
    expect(status.healthy).toBe(false);
    expect(status.services.map((s) => s.lag?.total ?? null)).toEqual([42, null, null, null, 7]);
    expect(status.models.map((m) => m.name)).toEqual(['dropout_risk', 'lesson_completion']);
    expect(status.errors).toEqual([]);

    const text = formatPlatformStatus(status, t0).split('\n');
    expect(text.slice(0, 6)).toEqual([
      'SERVICES',
      expect.stringMatching(/^feature-service +http:\S+ +up +lag 42 +postgres up$/),
      expect.stringMatching(/^training-service +http:\S+ +up +lag – +postgres up$/),
      expect.stringMatching(
        /^inference-service +http:\S+ +degraded +lag – +HTTP 503; redis down \(connect ECONNREFUSED\)$/,
      ),
      expect.stringMatching(
        /^experiment-service +http:\S+ +down +lag \? +HTTP 503; postgres down \(timeout\); \/metrics: HTTP 404$/,
      ),
      expect.stringMatching(/^monitoring-service +http:\S+ +up +lag 7 +postgres up$/),
    ]);
    expect(text.slice(7)).toEqual([
      'MODELS',
      'dropout_risk       no aliases',
      '                   live quality: not watched',
      'lesson_completion  champion v3 (inference serves v2), challenger v4',
      '                   live quality: 1h window to 2026-03-02T11:00:00Z (v3, 412 predictions, 230 labelled): ' +
        'AUC 0.812, estimated 0.799, training 0.856; 2 of 4 features drifted',
      '',
      'ALERTS  1 firing',
      'auc_drop  lesson_completion  0.700 vs 0.770  since 2026-03-02T10:30:00Z (1h ago)  lesson_completion v3: AUC 0.700 below 0.770',
      '',
      'EXPERIMENTS  1 running of 2',
    ]);
  });

  it('reports a service that never answers as unreachable within the timeout, and the sections it feeds as not read', async () => {
    const silent = await silentService();
    servers.push(silent);
    const fine = await serve({
      ...up(),
      '/v1/models': [200, { models: [] }],
      '/v1/experiments': [200, { experiments: [] }],
    });
    const targets = SERVICES.map((name) => ({ name, url: name === 'monitoring-service' ? silent.url : fine }));
    const started = Date.now();
    const status = await platformStatus(targets, 300);
    expect(Date.now() - started).toBeLessThan(1500);
    const monitoring = status.services[4];
    expect([monitoring.state, monitoring.error, monitoring.lag]).toEqual(['unreachable', 'no answer in time', null]);
    expect(status.healthy).toBe(false);
    expect(status.alerts).toBeNull();
    expect(status.errors).toEqual(['alerts: monitoring-service unreachable (no answer in time)']);
    const text = formatPlatformStatus(status);
    expect(text).toMatch(/^monitoring-service +http:\S+ +unreachable +no answer in time$/m);
    expect(text).toContain('ALERTS  unknown');
    expect(text).toMatch(/NOT READ\nalerts: monitoring-service unreachable \(no answer in time\)$/);
  });
});

/** The built platform (`npm start`) as a child process on a throwaway database, its URLs from its start log. */
async function startPlatformProcess(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; urls: Record<Service, string>; output: () => string }> {
  const child = spawn(process.execPath, [path.join(root, 'dist/apps/platform/main.js')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const summary = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`the platform exited ${child.exitCode}:\n${text}`);
      return text
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg?: string })
        .find((r) => r.msg?.startsWith('Pulse is up'))?.msg;
    },
    { timeoutMs: 60_000, intervalMs: 100, message: 'the platform start summary' },
  );
  const urls = Object.fromEntries(
    SERVICES.map((name) => [name, new RegExp(`${name} +(http://\\S+)`).exec(summary)![1]]),
  ) as Record<Service, string>;
  return { child, urls, output: () => text };
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

const getJson = async (url: string) => (await fetch(url)).json() as Promise<Record<string, unknown>>;

/** The sum of the `*_consumer_lag` samples of a /metrics answer, read independently of the command's parser. */
async function metricsLag(url: string): Promise<number | null> {
  const samples = (await (await fetch(`${url}/metrics`)).text())
    .split('\n')
    .filter((l) => /^[a-z_]+_consumer_lag\{/.test(l))
    .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
  return samples.length === 0 ? null : samples.reduce((a, b) => a + b, 0);
}

interface ApiWindow {
  window: string;
  end: string;
  closed: boolean;
  predictions: number;
  labelled: number;
  version: number;
  quality: { auc: number | null } | null;
  estimatedAuc: number | null;
  trainingAuc: number | null;
  driftedFeatures: number;
  drift: Record<string, unknown>;
}

describe('pulse status against the platform', () => {
  const token = 'status-spec-admin-token';
  let db: TestDatabase | undefined;
  let platform: Awaited<ReturnType<typeof startPlatformProcess>> | undefined;
  let urls: Record<Service, string>;
  const urlArgs = (overrides: Partial<Record<Service, string>> = {}) =>
    SERVICES.map((name) => `--url=${name}=${overrides[name] ?? urls[name]}`);
  // Generous where what is checked is the content, not the timeout: the machine may be busy.
  const patient = ['--timeout', '15000'];

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(root, 'tools/build.mjs')], { cwd: root, stdio: 'pipe' });
    db = await createTestDatabase('pulse_cli_status');
    // Two passing versions of lesson_completion in the registry: the first becomes champion, the
    // second challenger, as `pulse train --database-url` registers them.
    const storage = await initStorage({ url: db.url });
    try {
      const events = [...createSimulation({ seed: 5, learners: 150, days: 30, startTimeMs: Date.UTC(2026, 0, 5) })];
      events.sort((a, b) =>
        a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : a.eventTimeMs - b.eventTimeMs,
      );
      const watermarkMs = events.reduce((m, e) => Math.max(m, e.eventTimeMs), -Infinity);
      for (let i = 0; i < 2; i++)
        await runTrainingJob({
          spec: DEFAULT_MODELS.lesson_completion,
          featureRegistry: learningEngagementRegistry(),
          source: memorySource('simulated', events, watermarkMs),
          registry: new ModelRegistryRepository(storage.dataSource),
          params: { eta: '0.2', num_boost_round: '30' },
          actor: 'status-spec',
        });
    } finally {
      await storage.close();
    }
    // The platform on that database (bus and online store embedded), the simulator feeding it; the
    // champion predicts the simulated sends and monitoring judges each window every half second
    // (one drifted feature alerts: the simulated present drifts from the January training log).
    platform = await startPlatformProcess({
      DATABASE_URL: db.url,
      PULSE_API_TOKENS: `admin:${token}`,
      ...Object.fromEntries(SERVICES.map((s) => [`${s.toUpperCase().replace(/-/g, '_')}_PORT`, '0'])),
      SIMULATOR_LEARNERS: '50',
      SIMULATOR_DAYS: '3',
      SIMULATOR_RATE: '0',
      MONITORING_EVALUATE_MS: '500',
      MONITORING_MIN_PREDICTIONS: '1',
      MONITORING_DRIFT_MIN_FEATURES: '1',
    });
    urls = platform.urls;
    const created = await fetch(`${urls['experiment-service']}/v1/experiments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        key: 'status-spec',
        variations: ['a', 'b'],
        status: 'running',
        metrics: ['lesson_completion'],
      }),
    });
    expect(created.status).toBe(201);
    await waitFor(
      async () => {
        const view = await getJson(`${urls['monitoring-service']}/v1/monitoring/lesson_completion`);
        const { alerts } = (await getJson(`${urls['monitoring-service']}/v1/alerts?firing=true`)) as {
          alerts: unknown[];
        };
        return (view.windows as ApiWindow[]).some((w) => w.closed && w.predictions > 0) && alerts.length > 0;
      },
      { timeoutMs: 45_000, intervalMs: 250, message: 'a closed monitoring window with predictions and a firing alert' },
    );
    // dropout_risk has no champion: the platform tries to train it once the backfill is in. Its job
    // competes for the CPU with every service of the process; the tests start once it is over.
    await waitFor(
      async () => {
        const { jobs } = (await getJson(`${urls['training-service']}/v1/training-jobs`)) as {
          jobs: { state: string }[];
        };
        return jobs.length > 0 && jobs.every((j) => j.state !== 'queued' && j.state !== 'running');
      },
      { timeoutMs: 45_000, intervalMs: 250, message: 'the bootstrap training jobs finished' },
    );
  }, 150_000);

  afterAll(async () => {
    await stopProcess(platform?.child);
    await db?.drop();
  }, 30_000);

  it('exits 0 with every service up, and prints what the services answer', async () => {
    const r = await runCli([...urlArgs(), ...patient]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('SERVICES');
    for (const [i, name] of SERVICES.entries())
      expect(lines[i + 1]).toMatch(new RegExp(`^${name} +${urls[name]} +up +lag (\\d+|–) +postgres up`));
    // training-service consumes nothing it measures: no lag; feature-service's is a number.
    expect(lines[2]).toMatch(/ lag – /);
    expect(lines[1]).toMatch(/ lag \d+ /);
    const models = lines.indexOf('MODELS');
    expect(lines[models + 1]).toMatch(/^dropout_risk +no aliases$/);
    expect(lines[models + 3]).toMatch(/^lesson_completion +champion v1, challenger v2$/);
    expect(lines[models + 4]).toMatch(
      /^ +live quality: 1[hd] window to \S+Z \(v1, \d+ predictions, \d+ labelled\): AUC \S+, estimated 0\.\d{3}, training 0\.\d{3}; \d+ of \d+ features drifted$/,
    );
    expect(r.stdout).toMatch(/\nALERTS {2}[1-9]\d* firing\n/);
    expect(r.stdout).toMatch(/\nEXPERIMENTS {2}1 running of 1$/m);
    expect(r.stdout).not.toContain('NOT READ');
  });

  it('--json: the same status, each number as the service APIs give it (targets from PULSE_<SERVICE>_URL)', async () => {
    const monitoringUrl = urls['monitoring-service'];
    const lagBefore = await metricsLag(urls['feature-service']);
    const viewBefore = await getJson(`${monitoringUrl}/v1/monitoring/lesson_completion`);
    const env = Object.fromEntries(SERVICES.map((s) => [`PULSE_${s.toUpperCase().replace(/-/g, '_')}_URL`, urls[s]]));
    // The environment places every service; the host alone would find nothing there.
    const r = await runCli(['--json', '--host', '127.0.0.2', ...patient], env);
    const viewAfter = await getJson(`${monitoringUrl}/v1/monitoring/lesson_completion`);
    const lagAfter = await metricsLag(urls['feature-service']);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout) as PlatformStatus;
    expect(status.healthy).toBe(true);
    expect(status.services.map((s) => [s.name, s.url, s.state])).toEqual(SERVICES.map((s) => [s, urls[s], 'up']));
    expect([lagBefore, lagAfter]).toContain(status.services[0].lag!.total);
    expect(status.services[1].lag).toBeNull();

    const lesson = status.models.find((m) => m.name === 'lesson_completion')!;
    expect(lesson.aliases).toEqual({ champion: 1, challenger: 2 });
    expect(lesson.served).toEqual({ champion: 1, challenger: 2, shadow: null });
    // The window shown is the monitoring API's closed window with predictions that ends last.
    const q = lesson.quality!;
    const newest = (view: Record<string, unknown>) =>
      (view.windows as ApiWindow[])
        .filter((w) => w.closed && w.predictions > 0)
        .sort((a, b) => Date.parse(b.end) - Date.parse(a.end))[0];
    const w = [newest(viewBefore), newest(viewAfter)].find((x) => x.window === q.window && x.end === q.end)!;
    expect(w).toBeDefined();
    expect(q).toMatchObject({
      version: 1,
      predictions: w.predictions,
      labelled: w.labelled,
      auc: w.quality?.auc ?? null,
      estimatedAuc: w.estimatedAuc,
      trainingAuc: w.trainingAuc,
      driftedFeatures: w.driftedFeatures,
      features: Object.keys(w.drift).length,
    });
    expect(q.trainingAuc).toBeGreaterThan(0.7);
    expect(q.driftedFeatures).toBeGreaterThan(0);

    const { alerts } = (await getJson(`${monitoringUrl}/v1/alerts?firing=true`)) as {
      alerts: { rule: string; model: string; value: number; threshold: number; firedAtMs: number }[];
    };
    expect(status.alerts!.map((a) => [a.rule, a.model, a.since]).sort()).toEqual(
      alerts.map((a) => [a.rule, a.model, new Date(a.firedAtMs).toISOString()]).sort(),
    );
    expect(status.alerts!.every((a) => a.threshold !== null && a.value !== null)).toBe(true);
    expect(status.experiments).toEqual({ running: 1, total: 1 });
    expect(status.errors).toEqual([]);
  });

  it('a service down: shown unreachable, the rest still read, exit 1, without waiting out the timeout', async () => {
    const closed = await closedPortUrl();
    const r = await runCli([...urlArgs({ 'training-service': closed }), '--timeout', '60000']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^training-service +http:\S+ +unreachable +connection refused$/m);
    expect(r.stdout).toMatch(/^feature-service +http:\S+ +up /m);
    // The served aliases stand in for the registry's; alerts and experiments are read as before.
    expect(r.stdout).toMatch(/^lesson_completion +served: champion v1, challenger v2$/m);
    expect(r.stdout).toMatch(/\nALERTS {2}[1-9]\d* firing\n/);
    expect(r.stdout).toMatch(/NOT READ\naliases: training-service unreachable \(connection refused\)\n$/);
    // A refused connection is known at once: the run ends well before the 60 s timeout.
    expect(r.ms).toBeLessThan(30_000);
  });

  it('a service that never answers: unreachable after --timeout, exit 1', async () => {
    const silent = await silentService();
    try {
      const r = await runCli([...urlArgs({ 'monitoring-service': silent.url }), '--timeout', '3000', '--json']);
      expect(r.code).toBe(1);
      const status = JSON.parse(r.stdout) as PlatformStatus;
      expect(status.healthy).toBe(false);
      expect(status.services.map((s) => s.state)).toEqual(['up', 'up', 'up', 'up', 'unreachable']);
      expect(status.services[4].error).toBe('no answer in time');
      expect(status.alerts).toBeNull();
      expect(status.models.find((m) => m.name === 'lesson_completion')!.qualityNote).toBe(
        'monitoring-service not read',
      );
      expect(r.ms).toBeLessThan(15_000);
    } finally {
      silent.close();
    }
  });

  it('refuses an unknown service and a malformed PULSE_<SERVICE>_URL, naming them', async () => {
    const bad = await runCli(['--url=billing-service=http://x:1']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('unknown service "billing-service"');
    const badEnv = await runCli([], { PULSE_INFERENCE_SERVICE_URL: 'inference:3003' });
    expect(badEnv.code).toBe(1);
    expect(badEnv.stderr).toContain('PULSE_INFERENCE_SERVICE_URL is "inference:3003", not an http(s) URL');
  });

  it('builds its targets as the platform places the services by default', () => {
    expect(statusTargets('localhost').map((t) => t.url)).toEqual([
      'http://localhost:3001',
      'http://localhost:3002',
      'http://localhost:3003',
      'http://localhost:3004',
      'http://localhost:3005',
    ]);
  });
});
