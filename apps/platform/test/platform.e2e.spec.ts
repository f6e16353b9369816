/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import { createServer } from 'node:net';
import { ConfigError } from '@pulse/core';
import { platformSummary, startPlatform, type RunningPlatform } from '@pulse/platform';
import { waitFor } from '@pulse/testing';

// The platform as `npm start` runs it, in this process: embedded bus, PGlite and online store, the
// simulator feeding them, every hosted service on its own port (any free one here).
const env = {
  FEATURE_SERVICE_PORT: '0',
  TRAINING_SERVICE_PORT: '0',
  INFERENCE_SERVICE_PORT: '0',
  EXPERIMENT_SERVICE_PORT: '0',
  MONITORING_SERVICE_PORT: '0',
  SIMULATOR_LEARNERS: '20',
  SIMULATOR_DAYS: '2',
  SIMULATOR_RATE: '0',
};

/** Whether nothing listens on the port any more (it can be bound again). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('platform (embedded)', () => {
  let platform: RunningPlatform | undefined;
  afterAll(async () => platform?.close());

  it('hosts the five services on shared embedded infrastructure, serves features from simulated events, and lets go of its ports', async () => {
    platform = await startPlatform({ env, host: '127.0.0.1', logger: false });
    expect(platform.embedded).toEqual({ bus: true, database: true, onlineStore: true });
    expect(platform.simulating).toBe(true);
    const fs = platform.services.find((s) => s.name === 'feature-service')!;
    expect(fs.docsUrl).toBe(`${fs.url}/docs`);
    // Within the minute the start is allowed on a small machine.
    expect(platform.startedInMs).toBeLessThan(60_000);

    const health = await fetch(`${fs.url}/health`);
    expect(health.status).toBe(200);

    // The simulated learners' events arrive through the in-process bus and are served online.
    const ids = Array.from({ length: 20 }, (_, i) => `learner-${String(i + 1).padStart(6, '0')}`);
    const served = await waitFor(
      async () => {
        const res = await fetch(`${fs.url}/v1/features/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ entityIds: ids }),
        });
        const body = (await res.json()) as { results: { path: string; watermark: string | null }[] };
        const online = body.results.filter((r) => r.path === 'online' && r.watermark !== null);
        return online.length > 0 ? online : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 250, message: 'features of simulated learners served online' },
    );
    expect(served.length).toBeGreaterThan(0);
    const metrics = await (await fetch(fs.metricsUrl)).text();
    expect(metrics).toMatch(/pulse_events_consumed_total\{source="bus"\} [1-9]/);
    expect((await fetch(fs.docsUrl)).status).toBe(200);

    // training-service beside it: reads are open, changes take the admin token made for this run and
    // shown in the summary, and the default models are queued for training once the backfill is in.
    const ts = platform.services.find((s) => s.name === 'training-service')!;
    expect(ts.port).not.toBe(fs.port);
    const token = platform.generatedApiToken!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(platformSummary(platform)).toContain(token);
    expect((await fetch(`${ts.url}/health`)).status).toBe(200);
    const move = (authorization?: string) =>
      fetch(`${ts.url}/v1/models/lesson_completion/aliases/champion`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ version: 1 }),
      });
    expect((await move()).status).toBe(401);
    expect((await move('Bearer not-the-token')).status).toBe(401);
    // Let through: the model has no version 1 yet.
    expect((await move(`Bearer ${token}`)).status).toBe(404);
    const queued = await waitFor(
      async () => {
        const { jobs } = (await (await fetch(`${ts.url}/v1/training-jobs`)).json()) as {
          jobs: { model: string; trigger: string }[];
        };
        const bootstrap = jobs.filter((j) => j.trigger === 'bootstrap').map((j) => j.model);
        return bootstrap.length === 2 ? bootstrap.sort() : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 250, message: 'the first trainings queued after the backfill' },
    );
    expect(queued).toEqual(['dropout_risk', 'lesson_completion']);

    // inference-service beside them: a simulated learner's prediction over HTTP (the rule-based
    // fallback until a champion exists, the champion after).
    const is = platform.services.find((s) => s.name === 'inference-service')!;
    expect((await fetch(`${is.url}/v2/health/ready`)).status).toBe(200);
    const predicted = await fetch(`${is.url}/v1/predict/lesson_completion`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entityId: ids[0], context: { channel: 'email' } }),
    });
    expect(predicted.status).toBe(200);
    expect(await predicted.json()).toMatchObject({ model: 'lesson_completion', entityId: ids[0] });

    // experiment-service beside them: an experiment made with the run's token, a learner's
    // assignment, and its exposure recorded from the in-process bus.
    const xs = platform.services.find((s) => s.name === 'experiment-service')!;
    const created = await fetch(`${xs.url}/v1/experiments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        key: 'welcome-copy',
        variations: ['a', 'b'],
        status: 'running',
        metrics: ['lesson_completion'],
      }),
    });
    expect(created.status).toBe(201);
    const exposed = await waitFor(
      async () => {
        const { assignments } = (await (await fetch(`${xs.url}/v1/assignments/${ids[0]}`)).json()) as {
          assignments: { experiment: string; inExperiment: boolean }[];
        };
        return assignments.find((a) => a.experiment === 'welcome-copy');
      },
      { timeoutMs: 15_000, intervalMs: 100, message: 'the new experiment assigned' },
    );
    expect(exposed.inExperiment).toBe(true);
    await waitFor(
      async () => {
        const results = (await (await fetch(`${xs.url}/v1/experiments/welcome-copy/results`)).json()) as {
          srm: { counts: Record<string, number> };
        };
        return Object.values(results.srm.counts).reduce((a, b) => a + b, 0) === 1;
      },
      { timeoutMs: 15_000, intervalMs: 100, message: 'the exposure recorded' },
    );

    // monitoring-service beside them: it watches the models and answers for each.
    const ms = platform.services.find((s) => s.name === 'monitoring-service')!;
    expect((await fetch(`${ms.url}/health`)).status).toBe(200);
    const watched = await fetch(`${ms.url}/v1/monitoring/lesson_completion`);
    expect(watched.status).toBe(200);
    expect(await watched.json()).toMatchObject({ model: 'lesson_completion' });
    expect((await fetch(`${ms.url}/v1/alerts`)).status).toBe(200);

    await platform.close();
    await platform.close(); // idempotent
    await expect(portFree(fs.port)).resolves.toBe(true);
    await expect(fetch(`${fs.url}/health`)).rejects.toThrow();
  });

  it('refuses a malformed port before starting anything, naming the variable', async () => {
    await expect(startPlatform({ env: { ...env, FEATURE_SERVICE_PORT: 'x' }, logger: false })).rejects.toThrow(
      ConfigError,
    );
    await expect(startPlatform({ env: { ...env, FEATURE_SERVICE_PORT: '70000' }, logger: false })).rejects.toThrow(
      /FEATURE_SERVICE_PORT/,
    );
  });
});
