import { createHash, randomUUID } from 'node:crypto';
import { decodeModelLifecycle, type ModelLifecycleMessage } from '@pulse/contracts';
import { waitFor } from '@pulse/testing';
import {
  ADMIN_TOKEN,
  API_TOKENS,
  call,
  metricValue,
  READ_TOKEN,
  TrainingServiceHarness,
} from './training-service.harness';

// The HTTP API end to end: a job trained in a worker thread from a simulated log in Postgres, the
// registered version with its report and artifacts, aliases with tokens and history, and /health
// answering throughout a training run.
const harness = new TrainingServiceHarness();
let url: string;
let metrics: Awaited<ReturnType<TrainingServiceHarness['start']>>['registry'];
const MODEL = 'lesson_completion';

beforeAll(async () => {
  // 300 learners x 30 days: ~40k events, a few seconds of training. Without profile attributes the
  // fairness gates have one group each, so the first version passes every gate and becomes champion.
  await harness.setUp({ learners: 300, days: 30, seed: 4, withoutProfiles: true });
  ({ url, registry: metrics } = await harness.start({ PULSE_API_TOKENS: API_TOKENS }));
}, 120_000);
afterAll(() => harness.tearDown());

describe('training-service HTTP API', () => {
  let firstJob: any;

  it('refuses a training request without an admin token, for an unknown model, and with a bad field', async () => {
    const none = await call(`${url}/v1/training-jobs`, 'POST', { body: { model: MODEL } });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="pulse"');
    const unknown = await call(`${url}/v1/training-jobs`, 'POST', { body: { model: MODEL }, token: 'not-a-token' });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('invalid_token');
    const read = await call(`${url}/v1/training-jobs`, 'POST', { body: { model: MODEL }, token: READ_TOKEN });
    expect(read.status).toBe(403);

    const nope = await call(`${url}/v1/training-jobs`, 'POST', { body: { model: 'churn' }, token: ADMIN_TOKEN });
    expect(nope.status).toBe(404);
    expect(nope.body.message).toMatch(/no model spec named "churn"/);
    const bad = await call(`${url}/v1/training-jobs`, 'POST', {
      body: { model: MODEL, from: 'last week' },
      token: ADMIN_TOKEN,
    });
    expect(bad).toMatchObject({ status: 400, body: { field: 'from' } });
    const notJson = await fetch(`${url}/v1/training-jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: '{"model":',
    });
    expect(notJson.status).toBe(400);
    expect((await harness.registry.listJobs({ model: MODEL })).length).toBe(0);
  });

  it('trains a posted job off the event loop into a registered champion with its report and artifacts', async () => {
    const requestId = `http-${randomUUID()}`;
    const posted = await call(`${url}/v1/training-jobs`, 'POST', {
      body: { model: MODEL, requestId, reason: 'first model' },
      token: ADMIN_TOKEN,
    });
    expect(posted.status).toBe(202);
    expect(posted.body).toMatchObject({ requestId, model: MODEL, requestedBy: 'ana', trigger: 'manual' });
    expect(['queued', 'running']).toContain(posted.body.state);

    // The same request again: the same job, not a second one.
    const again = await call(`${url}/v1/training-jobs`, 'POST', {
      body: { model: MODEL, requestId, reason: 'clicked twice' },
      token: ADMIN_TOKEN,
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(posted.body.id);

    const done = await harness.finished(posted.body.id);
    const job = await call(`${url}/v1/training-jobs/${done.id}`, 'GET');
    firstJob = job.body;
    expect(job.body).toMatchObject({
      state: 'succeeded',
      phase: 'done',
      progress: 1,
      error: null,
      version: 1,
      attempts: 1,
      result: { alias: 'champion', gatesPassed: true, metrics: { auc: expect.any(Number) } },
      links: { report: `/v1/models/${MODEL}/versions/1/report` },
    });
    expect(job.body.result.gates.map((g: { name: string }) => g.name)).toContain('champion');
    const listed = await call(`${url}/v1/training-jobs?model=${MODEL}`, 'GET');
    expect(listed.body.jobs.map((j: { requestId: string }) => j.requestId)).toEqual([requestId]);
    expect((await call(`${url}/v1/training-jobs/${randomUUID()}`, 'GET')).status).toBe(404);
    expect((await call(`${url}/v1/training-jobs?state=done`, 'GET')).body.field).toBe('state');

    const models = await call(`${url}/v1/models`, 'GET');
    expect(models.body.models).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: MODEL,
          task: 'binary',
          specVersion: 1,
          latestVersion: 1,
          aliases: { champion: 1 },
        }),
        expect.objectContaining({ name: 'dropout_risk', task: 'multiclass', latestVersion: null, aliases: {} }),
      ]),
    );
    expect((await call(`${url}/v1/models/dropout_risk/versions`, 'GET')).body).toEqual({
      model: 'dropout_risk',
      versions: [],
    });
    expect((await call(`${url}/v1/models/churn/versions`, 'GET')).status).toBe(404);
    expect((await call(`${url}/v1/models/Not%20A%20Name/versions`, 'GET')).body.field).toBe('name');

    const versions = await call(`${url}/v1/models/${MODEL}/versions`, 'GET');
    expect(versions.body.versions).toEqual([
      expect.objectContaining({
        version: 1,
        aliases: ['champion'],
        gatesPassed: true,
        createdBy: 'ana',
        trainingJobId: done.id,
      }),
    ]);
    const detail = await call(`${url}/v1/models/${MODEL}/versions/1`, 'GET');
    expect(detail.body).toMatchObject({
      model: MODEL,
      version: 1,
      metrics: { auc: expect.any(Number) },
      signature: { inputName: expect.any(String), inputs: expect.any(Array) },
      lineage: { specVersion: 1, viewVersions: expect.any(Object), watermark: expect.any(String) },
      evaluation: { task: 'binary', roc: expect.any(Object) },
      artifacts: { onnx: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }, json: { sha256: expect.any(String) } },
    });
    expect(detail.body.gates.every((g: { passed: boolean }) => g.passed)).toBe(true);
    expect((await call(`${url}/v1/models/${MODEL}/versions/9`, 'GET')).status).toBe(404);
    expect((await call(`${url}/v1/models/${MODEL}/versions/latest`, 'GET')).body.field).toBe('version');

    const report = await fetch(`${url}/v1/models/${MODEL}/versions/1/report`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await report.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('<svg');

    for (const [format, digest] of [
      ['onnx', detail.body.artifacts.onnx.sha256],
      ['json', detail.body.artifacts.json.sha256],
    ]) {
      const res = await fetch(`${url}/v1/models/${MODEL}/versions/1/artifact?format=${format}`);
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(res.headers.get('x-content-sha256')).toBe(digest);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(digest);
      expect(res.headers.get('content-type')).toMatch(format === 'onnx' ? /octet-stream/ : /json/);
    }
    const badFormat = await call(`${url}/v1/models/${MODEL}/versions/1/artifact?format=pmml`, 'GET');
    expect(badFormat).toMatchObject({ status: 400, body: { field: 'format' } });

    expect(await metricValue(metrics, 'pulse_training_jobs_total', { model: MODEL, outcome: 'succeeded' })).toBe(1);
    expect(await metricValue(metrics, 'pulse_model_registered_versions_total', { model: MODEL })).toBe(1);
    expect(await metricValue(metrics, 'pulse_model_alias_moves_total', { model: MODEL, alias: 'champion' })).toBe(1);
    expect(await metricValue(metrics, 'pulse_training_set_rows', { model: MODEL, split: 'train' })).toBeGreaterThan(0);
    expect(
      await metricValue(metrics, 'pulse_model_test_metric', { model: MODEL, version: '1', metric: 'auc' }),
    ).toBeCloseTo(detail.body.metrics.auc);
  });

  it('announces the job, the registration and the alias move on the lifecycle topic', async () => {
    const events = await waitFor(
      () => {
        const decoded = harness.lifecycleMessages.map((m) => decodeModelLifecycle(m.value, m.headers['content-type']));
        const types = decoded.map((e) => e.type);
        return ['training_started', 'registered', 'alias_moved'].every((t) => types.includes(t as never))
          ? decoded
          : null;
      },
      { timeoutMs: 15_000, message: 'lifecycle events' },
    );
    const of = (type: string) => events.find((e) => e.type === type) as ModelLifecycleMessage;
    expect(of('training_started')).toMatchObject({
      model: MODEL,
      jobId: firstJob.id,
      trainingRequestId: firstJob.requestId,
    });
    expect(of('registered')).toMatchObject({
      model: MODEL,
      version: 1,
      jobId: firstJob.id,
      gatesPassed: true,
      artifactSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(Object.keys(of('registered').featureViewVersions).length).toBeGreaterThan(0);
    expect(of('alias_moved')).toMatchObject({ model: MODEL, alias: 'champion', toVersion: 1, actor: 'ana' });
    expect(harness.lifecycleMessages.every((m) => m.key === MODEL)).toBe(true);
  });

  it('keeps /health answering within 100 ms (p99) while a model trains, and makes an equal retrain a challenger', async () => {
    const posted = await call(`${url}/v1/training-jobs`, 'POST', { body: { model: MODEL }, token: ADMIN_TOKEN });
    expect(posted.status).toBe(202);
    const timings: number[] = [];
    let state = posted.body.state as string;
    let sawRunning = false;
    while (state === 'queued' || state === 'running') {
      const started = performance.now();
      const health = await fetch(`${url}/health`);
      await health.arrayBuffer();
      timings.push(performance.now() - started);
      expect(health.status).toBe(200);
      state = (await harness.registry.getJob(posted.body.id)).state;
      sawRunning ||= state === 'running';
    }
    expect(state).toBe('succeeded');
    expect(sawRunning).toBe(true);
    timings.sort((a, b) => a - b);
    const p99 = timings[Math.min(timings.length - 1, Math.floor(timings.length * 0.99))];
    expect(timings.length).toBeGreaterThan(20);
    expect(p99).toBeLessThanOrEqual(100);

    // Same data, same seed: no better than the champion, so it waits as challenger.
    const job = (await call(`${url}/v1/training-jobs/${posted.body.id}`, 'GET')).body;
    expect(job).toMatchObject({ version: 2, result: { alias: 'challenger', gatesPassed: true } });
    const aliases = await call(`${url}/v1/models/${MODEL}/aliases`, 'GET');
    expect(aliases.body).toEqual({ model: MODEL, aliases: { champion: 1, challenger: 2 } });
  });

  it('moves and deletes aliases with an admin token only, each move in the history with its actor and reason', async () => {
    const put = (token: string | undefined, body: unknown, alias = 'champion') =>
      call(`${url}/v1/models/${MODEL}/aliases/${alias}`, 'PUT', { body, ...(token ? { token } : {}) });
    expect((await put(undefined, { version: 2 })).status).toBe(401);
    expect((await put(READ_TOKEN, { version: 2 })).status).toBe(403);
    expect((await put(ADMIN_TOKEN, { version: 7 })).status).toBe(404);
    expect((await put(ADMIN_TOKEN, { version: 'two' })).body.field).toBe('version');
    expect((await put(ADMIN_TOKEN, { version: 2 }, 'Champ!')).body.field).toBe('alias');

    const promoted = await put(ADMIN_TOKEN, { version: 2, reason: 'reviewed the report', expectedVersion: 1 });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({
      fromVersion: 1,
      toVersion: 2,
      actor: 'ana',
      reason: 'reviewed the report',
      changed: true,
    });
    const stale = await put(ADMIN_TOKEN, { version: 1, expectedVersion: 1 });
    expect(stale).toMatchObject({ status: 409, body: { expectedVersion: 1, actualVersion: 2 } });

    expect((await call(`${url}/v1/models/${MODEL}/aliases/shadow`, 'DELETE')).status).toBe(401);
    await put(ADMIN_TOKEN, { version: 1 }, 'shadow');
    const removed = await call(`${url}/v1/models/${MODEL}/aliases/shadow?reason=not%20needed`, 'DELETE', {
      token: ADMIN_TOKEN,
    });
    expect(removed).toMatchObject({ status: 200, body: { fromVersion: 1, toVersion: null, reason: 'not needed' } });

    const history = await call(`${url}/v1/models/${MODEL}/aliases/history?alias=champion`, 'GET');
    expect(history.body.moves.map((m: any) => [m.fromVersion, m.toVersion, m.actor, m.sequence])).toEqual([
      [null, 1, 'ana', 1],
      [1, 2, 'ana', 2],
    ]);
    const all = await call(`${url}/v1/models/${MODEL}/aliases/history`, 'GET');
    expect(all.body.moves.map((m: any) => m.alias)).toEqual(['champion', 'challenger', 'champion', 'shadow', 'shadow']);
  });

  it('answers malformed requests with a 4xx, never a 5xx', async () => {
    const raw = (path: string, init: RequestInit = {}) => fetch(`${url}${path}`, init).then((r) => r.status);
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const statuses = [
      await raw('/v1/training-jobs', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/plain' },
        body: 'train',
      }),
      await raw('/v1/training-jobs', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/xml' },
        body: '<a/>',
      }),
      await raw('/v1/training-jobs', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' } }),
      await raw('/v1/training-jobs', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, reason: 'x'.repeat(2 * 1024 * 1024) }),
      }),
      await raw('/v1/training-jobs/%00'),
      await raw(`/v1/training-jobs/${'x'.repeat(300)}`),
      await raw('/v1/training-jobs?limit=10&limit=20'),
      await raw(`/v1/models/${MODEL}/versions/%ED%A0%80`),
      await raw(`/v1/models/${MODEL}/versions/1/artifact?format=onnx&format=json`),
      await raw(`/v1/models/${MODEL}/aliases/history?alias=Nope!`),
      await raw(`/v1/models/${MODEL}/aliases/champion`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '[1]',
      }),
      await raw(`/v1/models/${MODEL}/aliases/champion`, {
        method: 'DELETE',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '"x"',
      }),
    ];
    expect(statuses.filter((s) => s < 400 || s >= 500)).toEqual([]);
  });

  it('lets exactly one of two concurrent compare-and-set moves win', async () => {
    // Both moves leave the alias's current state (absent, after the previous test removed it), so
    // neither can succeed as a no-op: exactly one must see the state it expected.
    const alias = 'shadow';
    const current = (await call(`${url}/v1/models/${MODEL}/aliases`, 'GET')).body.aliases[alias] ?? null;
    expect(current).toBeNull();
    const answers = await Promise.all(
      [1, 2].map((version) =>
        call(`${url}/v1/models/${MODEL}/aliases/${alias}`, 'PUT', {
          body: { version, expectedVersion: current, reason: `race to v${version}` },
          token: ADMIN_TOKEN,
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.status === 200)!.body;
    expect(winner).toMatchObject({ fromVersion: null, changed: true });
    const loser = answers.find((a) => a.status === 409)!.body;
    expect(loser).toMatchObject({ expectedVersion: null, actualVersion: winner.toVersion });
    const history = (await call(`${url}/v1/models/${MODEL}/aliases/history?alias=${alias}`, 'GET')).body.moves;
    // One more move in the history, from the expected state to the winner's: consistent, gapless.
    expect(history.at(-1)).toMatchObject({ fromVersion: current, toVersion: winner.toVersion });
    expect(history.map((m: any) => m.sequence)).toEqual(history.map((_: unknown, i: number) => i + 1));
  });
});
