import { randomBytes, randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import { initStorage, ModelRegistryRepository, type Storage, type TrainingJob } from '@pulse/storage';
import { createTestDatabase, randomIdentifier, waitFor, type TestDatabase } from '@pulse/testing';
import { JobScheduler, type JobRunHooks, type JobSchedulerEvents } from './job-scheduler';
import type { JobRunSummary, TrainingWorkerJob } from './worker-protocol';

// The scheduler on a real registry, with the training itself stood in for (a function of the job).
describe('JobScheduler', () => {
  let db: TestDatabase;
  let storage: Storage;
  let registry: ModelRegistryRepository;
  const schedulers: JobScheduler[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('pulse_ts_scheduler');
    storage = await initStorage({ url: db.url, poolSize: 4 });
    registry = new ModelRegistryRepository(storage.dataSource);
  });
  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.stop();
  });
  afterAll(async () => {
    await storage?.close();
    await db?.drop();
  });

  const model = () => randomIdentifier('model');
  const queue = async (name: string, params: Record<string, unknown> = {}) =>
    (
      await registry.createJob({
        requestId: randomUUID(),
        model: name,
        params,
        trigger: 'manual',
        reason: 'spec',
        requestedBy: 'ana',
      })
    ).job;

  /** A version as a run would register it (a small valid one), for `job`. */
  async function register(job: { id: string; model: string }, gatesPassed = true) {
    return registry.registerVersion({
      model: job.model,
      specVersion: 1,
      task: 'binary',
      createdBy: 'ana',
      trainingJobId: job.id,
      metrics: { auc: 0.8 },
      gates: [
        { name: 'auc > 0.7', passed: gatesPassed, value: 0.8, threshold: 0.7, detail: '' },
        { name: 'champion', passed: true, value: null, threshold: 0.01, detail: 'no champion yet' },
      ],
      signature: {
        inputName: 'input',
        inputs: [{ name: 'f', type: 'float', index: 0 }],
        outputs: [{ name: 'p', type: 'float', shape: ['N', 2] }],
      },
      lineage: { rows: { train: 80, validation: 10, test: 10 }, viewVersions: { learner_behaviour: 1 } },
      evaluation: {},
      reportHtml: '<!doctype html><title>r</title>',
      onnx: randomBytes(16),
      modelJson: '{}',
      testSample: { rows: [[0.5]], scores: [[0.4, 0.6]] },
      contentSha256: createHash('sha256').update(job.id).digest('hex'),
    });
  }

  function summaryOf(version: number): JobRunSummary {
    return {
      version,
      alias: null,
      aliasChanged: false,
      qualityGatesPassed: true,
      metrics: { auc: 0.8 },
      gates: [],
      rows: { train: 80, validation: 10, test: 10 },
      contentSha256: null,
      featureViewVersions: {},
    };
  }

  function scheduler(
    run: (job: TrainingWorkerJob, hooks: JobRunHooks) => Promise<JobRunSummary>,
    options: { concurrency?: number; staleAfterMs?: number; maxAttempts?: number; events?: JobSchedulerEvents } = {},
  ): JobScheduler {
    const s = new JobScheduler({
      registry,
      owner: `spec-${randomUUID().slice(0, 8)}`,
      concurrency: options.concurrency ?? 1,
      staleAfterMs: options.staleAfterMs ?? 60_000,
      maxAttempts: options.maxAttempts ?? 2,
      pollMs: 50,
      run,
      ...(options.events ? { events: options.events } : {}),
    });
    schedulers.push(s);
    return s;
  }

  const ended = (id: string) =>
    waitFor(
      async () => {
        const job = await registry.getJob(id);
        return job.state === 'succeeded' || job.state === 'failed' ? job : null;
      },
      { timeoutMs: 15_000, message: `job ${id} ended` },
    );

  it('runs a queued job, its heartbeats carrying the progress, and finishes it with the version', async () => {
    const job = await queue(model(), { eta: 0.1, max_depth: '4', early: true });
    const seen: TrainingWorkerJob[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const finished: [TrainingJob, JobRunSummary][] = [];
    const s = scheduler(
      async (workerJob, hooks) => {
        seen.push(workerJob);
        hooks.onProgress({ phase: 'training', progress: 0.5 });
        await released;
        const v = await register(workerJob);
        return summaryOf(v.version);
      },
      { staleAfterMs: 400, events: { onFinished: (j, summary) => finished.push([j, summary]) } },
    );
    await s.start();
    await waitFor(async () => (await registry.getJob(job.id)).phase === 'training', {
      timeoutMs: 10_000,
      message: 'the progress heartbeat',
    });
    expect((await registry.getJob(job.id)).progress).toBe(0.5);
    release();
    const done = await ended(job.id);
    expect(done).toMatchObject({
      state: 'succeeded',
      version: 1,
      result: { gatesPassed: true, metrics: { auc: 0.8 } },
    });
    // Parameters reach the run as numbers and strings.
    expect(seen[0]).toMatchObject({
      id: job.id,
      model: job.model,
      params: { eta: 0.1, max_depth: '4', early: 'true' },
      actor: 'ana',
    });
    expect(finished.map(([j]) => j.id)).toEqual([job.id]);
  });

  it("keeps a job whose training range ends after the log's newest event waiting, and runs the jobs behind it first", async () => {
    let watermarkMs = Date.UTC(2026, 0, 10);
    const ran: string[] = [];
    const waiting = (
      await registry.createJob({
        requestId: randomUUID(),
        model: model(),
        params: {},
        trigger: 'drift',
        reason: 'spec: after the drift',
        requestedBy: 'monitoring-service',
        trainUntil: new Date(Date.UTC(2026, 0, 15)),
      })
    ).job;
    const ready = await queue(model());
    const s = new JobScheduler({
      registry,
      owner: `spec-${randomUUID().slice(0, 8)}`,
      concurrency: 1,
      staleAfterMs: 60_000,
      maxAttempts: 2,
      pollMs: 50,
      dataWatermark: async () => watermarkMs,
      run: async (job) => {
        ran.push(job.id);
        return summaryOf((await register(job)).version);
      },
    });
    schedulers.push(s);
    await s.start();
    await waitFor(async () => (await registry.getJob(ready.id)).state === 'succeeded', { timeoutMs: 20_000 });
    expect(ran).toEqual([ready.id]);
    expect((await registry.getJob(waiting.id)).state).toBe('queued');
    // The log reaches the range's end: the job runs.
    watermarkMs = Date.UTC(2026, 0, 16);
    await waitFor(async () => (await registry.getJob(waiting.id)).state === 'succeeded', { timeoutMs: 20_000 });
    expect(ran).toEqual([ready.id, waiting.id]);
  });

  it('fails a job whose run throws, with the error', async () => {
    const job = await queue(model());
    const failures: string[] = [];
    const s = scheduler(
      async () => {
        throw new Error('21 labelled examples, fewer than the minimum 500');
      },
      { events: { onFailed: (_j, error) => failures.push(error.message) } },
    );
    await s.start();
    expect(await ended(job.id)).toMatchObject({
      state: 'failed',
      error: '21 labelled examples, fewer than the minimum 500',
    });
    expect(failures).toEqual(['21 labelled examples, fewer than the minimum 500']);
  });

  it('runs at most `concurrency` jobs at once', async () => {
    const name = model();
    const jobs = [await queue(name), await queue(name), await queue(name)];
    let active = 0;
    let most = 0;
    const s = scheduler(
      async (workerJob) => {
        most = Math.max(most, ++active);
        await new Promise((resolve) => setTimeout(resolve, 100));
        active--;
        return summaryOf((await register(workerJob)).version);
      },
      { concurrency: 2 },
    );
    await s.start();
    for (const job of jobs) expect((await ended(job.id)).state).toBe('succeeded');
    expect(most).toBe(2);
  });

  it('finishes a job interrupted after it registered its version with that version, aliased, without training again', async () => {
    const job = await queue(model());
    // A runner that claimed it, registered v1 and died before finishing (or aliasing).
    await registry.claimJob(job.id, 'runner-gone');
    const registered = await register(job);
    await storage.dataSource.query(`UPDATE training_jobs SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, [
      job.id,
    ]);
    const recovered: string[] = [];
    const run = jest.fn(async () => summaryOf(99));
    const s = scheduler(run, {
      staleAfterMs: 1000,
      events: { onRecovered: (jobs) => recovered.push(...jobs.map((j) => j.id)) },
    });
    await s.start();
    const done = await ended(job.id);
    expect(recovered).toContain(job.id);
    expect(run).not.toHaveBeenCalled();
    expect(done).toMatchObject({
      state: 'succeeded',
      attempts: 2,
      version: registered.version,
      result: { alias: 'champion', resumed: true },
    });
    expect(await registry.resolveAlias(job.model, 'champion')).toBe(registered.version);
    const [move] = await registry.aliasHistory(job.model, 'champion');
    expect(move).toMatchObject({ actor: 'ana', reason: expect.stringContaining('resumed') });
  });

  it('abandons the runs under way when stopped, leaving their jobs to be recovered', async () => {
    const job = await queue(model());
    let aborted = false;
    const s = scheduler(
      (_job, hooks) =>
        new Promise((_resolve, reject) =>
          hooks.signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('abandoned'));
          }),
        ),
    );
    await s.start();
    await waitFor(async () => (await registry.getJob(job.id)).state === 'running', { message: 'running' });
    await s.stop();
    expect(aborted).toBe(true);
    // Not failed by the copy that stopped: it stays running until its heartbeat is stale, then is recovered.
    expect((await registry.getJob(job.id)).state).toBe('running');
  });
});
