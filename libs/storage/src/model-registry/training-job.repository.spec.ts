import { randomUUID } from 'node:crypto';
import { waitFor } from '@pulse/testing';
import type { Storage } from '../data-source';
import { newVersion, registryBackends, uniqueModel } from '../testing/model-registry.fixtures';
import { JobNotFoundError, JobStateError, VersionNotFoundError } from './model-registry.errors';
import { ModelRegistryRepository } from './model-registry.repository';
import type { ModelRegisteredEvent } from './model-registry.types';
import { INTERRUPTED_ERROR, type NewTrainingJob, type TrainingJob } from './training-job.types';

describe.each(registryBackends)('training jobs of the ModelRegistryRepository (%s)', (_name, backend) => {
  let stop: () => Promise<void>;
  let storage: Storage;
  let registry: ModelRegistryRepository;

  beforeAll(async () => {
    ({ storage, stop } = await backend.start());
    registry = new ModelRegistryRepository(storage.dataSource);
  }, 60_000);
  afterAll(() => stop());

  const request = (model: string, overrides: Partial<NewTrainingJob> = {}): NewTrainingJob => ({
    requestId: randomUUID(),
    model,
    params: { num_rounds: '200', learning_rate: 0.1 },
    trainFrom: new Date('2024-01-01T00:00:00Z'),
    trainUntil: '2024-03-01T00:00:00.000Z',
    trigger: 'manual',
    reason: 'first model',
    requestedBy: 'ana',
    ...overrides,
  });

  /** A running job of its own, claimed by `owner`. */
  async function runningJob(model: string, owner: string): Promise<TrainingJob> {
    const { job } = await registry.createJob(request(model));
    return (await registry.claimJob(job.id, owner))!;
  }

  /** Moves the job's last heartbeat back, as if its runner had gone quiet that long ago. */
  const backdateHeartbeat = (id: string, ms: number) =>
    storage.dataSource.query(
      `UPDATE training_jobs SET heartbeat_at = heartbeat_at - $2 * interval '1 millisecond' WHERE id = $1`,
      [id, ms],
    );

  it('queues one job per request id: a repeated or redelivered request gets the same job back', async () => {
    const model = uniqueModel('dedup');
    const input = request(model);
    const first = await registry.createJob(input);
    expect(first.created).toBe(true);
    expect(first.job).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      requestId: input.requestId,
      model,
      state: 'queued',
      phase: 'queued',
      progress: 0,
      params: { num_rounds: '200', learning_rate: 0.1 },
      trainFrom: '2024-01-01T00:00:00.000Z',
      trainUntil: '2024-03-01T00:00:00.000Z',
      trigger: 'manual',
      reason: 'first model',
      requestedBy: 'ana',
      startedAt: null,
      finishedAt: null,
      heartbeatAt: null,
      owner: null,
      attempts: 0,
      version: null,
      error: null,
      result: null,
    });
    const again = await registry.createJob({ ...input, reason: 'redelivered' });
    expect(again).toEqual({ job: first.job, created: false });
    expect(await registry.getJobByRequest(input.requestId)).toEqual(first.job);
    expect(await registry.getJob(first.job.id)).toEqual(first.job);

    // The same request arriving 8 times at once: one job.
    const racing = request(model, { trainFrom: null, trainUntil: undefined, params: undefined });
    const results = await Promise.all(Array.from({ length: 8 }, () => registry.createJob(racing)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    expect(results[0].job).toMatchObject({ trainFrom: null, trainUntil: null, params: {} });
    expect((await registry.listJobs({ model })).map((j) => j.requestId)).toEqual([racing.requestId, input.requestId]);

    await expect(registry.getJob(randomUUID())).rejects.toBeInstanceOf(JobNotFoundError);
    expect(await registry.getJobByRequest(randomUUID())).toBeNull();
  });

  it('rejects a malformed request, naming the argument', async () => {
    const model = uniqueModel('badjob');
    await expect(registry.createJob(request('Bad Model'))).rejects.toThrow(/input\.model/);
    await expect(registry.createJob(request(model, { requestId: '' }))).rejects.toThrow(/input\.requestId/);
    await expect(registry.createJob(request(model, { trainFrom: 'yesterday' }))).rejects.toThrow(RangeError);
    await expect(
      registry.createJob(request(model, { trainFrom: '2024-05-01T00:00:00Z', trainUntil: '2024-01-01T00:00:00Z' })),
    ).rejects.toThrow(/trainFrom/);
    await expect(registry.createJob(request(model, { params: [] as never }))).rejects.toThrow(TypeError);
    await expect(registry.listJobs({ limit: 0 })).rejects.toThrow(/options\.limit/);
    await expect(registry.listJobs({ state: 'done' as never })).rejects.toThrow(/options\.state/);
    expect(await registry.listJobs({ model })).toEqual([]);
  });

  it('runs a job: one runner claims it, heartbeats carry its progress, its owner finishes it with the version', async () => {
    const model = uniqueModel('run');
    const { job } = await registry.createJob(request(model));
    const claimed = await registry.claimJob(job.id, 'worker-a');
    expect(claimed).toMatchObject({ state: 'running', owner: 'worker-a', phase: 'starting', attempts: 1 });
    expect(claimed!.startedAt).not.toBeNull();
    expect(claimed!.heartbeatAt).not.toBeNull();
    // Claimed already: another runner gets nothing.
    expect(await registry.claimJob(job.id, 'worker-b')).toBeNull();
    await expect(registry.claimJob(randomUUID(), 'worker-b')).rejects.toBeInstanceOf(JobNotFoundError);

    const beat = await registry.heartbeat(job.id, 'worker-a', { phase: 'fitting', progress: 0.5 });
    expect(beat).toMatchObject({ phase: 'fitting', progress: 0.5 });
    expect(Date.parse(beat.heartbeatAt!)).toBeGreaterThanOrEqual(Date.parse(claimed!.heartbeatAt!));
    expect(await registry.heartbeat(job.id, 'worker-a')).toMatchObject({ phase: 'fitting', progress: 0.5 });
    await expect(registry.heartbeat(job.id, 'worker-a', { progress: 1.5 })).rejects.toThrow(RangeError);
    const foreign = registry.heartbeat(job.id, 'worker-b', { progress: 0.9 });
    await expect(foreign).rejects.toBeInstanceOf(JobStateError);
    await expect(foreign).rejects.toMatchObject({ state: 'running', owner: 'worker-a', retriable: false });
    await expect(registry.finishJob(job.id, 'worker-b', { version: null })).rejects.toBeInstanceOf(JobStateError);

    // The version it names must exist; the job stays running if not.
    await expect(registry.finishJob(job.id, 'worker-a', { version: 1 })).rejects.toBeInstanceOf(VersionNotFoundError);
    expect((await registry.getJob(job.id)).state).toBe('running');
    const registered = await registry.registerVersion(newVersion(model, 1, { trainingJobId: job.id }));
    const [event] = (await registry.pendingLifecycleEvents(10_000)).filter(
      (e): e is typeof e & { payload: ModelRegisteredEvent } => e.payload.model === model,
    );
    expect(event.payload).toMatchObject({ trainingJobId: job.id, trainingRequestId: job.requestId });

    const finished = await registry.finishJob(job.id, 'worker-a', {
      version: registered.version,
      result: { metrics: { auc: 0.8 } },
    });
    expect(finished).toMatchObject({
      state: 'succeeded',
      phase: 'done',
      progress: 1,
      version: 1,
      result: { metrics: { auc: 0.8 } },
      error: null,
    });
    expect(finished.finishedAt).not.toBeNull();
    // It is over: its runner can change nothing any more.
    await expect(registry.heartbeat(job.id, 'worker-a')).rejects.toMatchObject({ state: 'succeeded' });
    await expect(registry.failJob(job.id, 'worker-a', 'late')).rejects.toBeInstanceOf(JobStateError);
    expect(await registry.claimJob(job.id, 'worker-a')).toBeNull();
  });

  it('finds the version a job registered (what lets a job run again finish instead of training twice)', async () => {
    const model = uniqueModel('byjob');
    const job = await runningJob(model, 'worker-a');
    expect(await registry.versionByJob(job.id)).toBeNull();
    await registry.registerVersion(newVersion(model, 1));
    const registered = await registry.registerVersion(newVersion(model, 2, { trainingJobId: job.id }));
    const found = await registry.versionByJob(job.id);
    expect(found).toMatchObject({ model, version: registered.version, trainingJobId: job.id });
    expect(found!.artifacts).toBeUndefined();
    expect(await registry.versionByJob(randomUUID())).toBeNull();
    await expect(registry.versionByJob('')).rejects.toThrow(/jobId/);
    await registry.finishJob(job.id, 'worker-a', { version: registered.version });
  });

  it('records a failure with its error', async () => {
    const model = uniqueModel('fail');
    const job = await runningJob(model, 'worker-a');
    await expect(registry.failJob(job.id, 'worker-a', '')).rejects.toThrow(/error/);
    const failed = await registry.failJob(job.id, 'worker-a', 'not enough labelled rows (12 < 200)');
    expect(failed).toMatchObject({ state: 'failed', error: 'not enough labelled rows (12 < 200)', owner: 'worker-a' });
    expect(failed.finishedAt).not.toBeNull();
    expect((await registry.listJobs({ model, state: 'failed' })).map((j) => j.id)).toEqual([job.id]);
    expect(await registry.listJobs({ model, state: 'running' })).toEqual([]);
  });

  it('hands out the oldest queued job next', async () => {
    // Take what earlier tests left queued out of the way.
    for (let next = await registry.nextQueuedJob(); next !== null; next = await registry.nextQueuedJob()) {
      await registry.claimJob(next.id, 'sweeper');
      await registry.failJob(next.id, 'sweeper', 'swept by the spec');
    }
    const model = uniqueModel('queue');
    const a = (await registry.createJob(request(model))).job;
    const b = (await registry.createJob(request(model))).job;
    expect((await registry.nextQueuedJob())!.id).toBe(a.id);
    await registry.claimJob(a.id, 'worker-a');
    expect((await registry.nextQueuedJob())!.id).toBe(b.id);
    await registry.claimJob(b.id, 'worker-b');
    expect(await registry.nextQueuedJob()).toBeNull();
    expect((await registry.listJobs({ model, limit: 1 })).map((j) => j.id)).toEqual([b.id]);
  });

  it('fails a running job whose runner went quiet, and keeps a live one running', async () => {
    const model = uniqueModel('stale');
    const quiet = await runningJob(model, 'worker-gone');
    const alive = await runningJob(model, 'worker-alive');
    await backdateHeartbeat(quiet.id, 10 * 60_000);

    const recovered = await registry.recoverInterruptedJobs({ staleAfterMs: 60_000, requeue: false });
    expect(recovered.map((j) => j.id)).toEqual([quiet.id]);
    expect(recovered[0]).toMatchObject({ state: 'failed', error: INTERRUPTED_ERROR });
    expect(recovered[0].finishedAt).not.toBeNull();
    expect((await registry.getJob(alive.id)).state).toBe('running');
    // The old runner, should it wake up, learns it lost the job.
    await expect(registry.heartbeat(quiet.id, 'worker-gone')).rejects.toMatchObject({ state: 'failed' });
    await expect(registry.finishJob(quiet.id, 'worker-gone', { version: null })).rejects.toBeInstanceOf(JobStateError);
    expect(await registry.recoverInterruptedJobs({ staleAfterMs: 60_000, requeue: false })).toEqual([]);
    await registry.failJob(alive.id, 'worker-alive', 'done with this test');
  });

  it('queues an interrupted job again when asked, and fails it once it has been claimed maxAttempts times', async () => {
    const model = uniqueModel('requeue');
    const job = await runningJob(model, 'worker-1');
    await backdateHeartbeat(job.id, 10 * 60_000);
    const [requeued] = await registry.recoverInterruptedJobs({ staleAfterMs: 60_000, requeue: true, maxAttempts: 2 });
    expect(requeued).toMatchObject({
      id: job.id,
      state: 'queued',
      phase: 'queued',
      progress: 0,
      owner: null,
      startedAt: null,
      heartbeatAt: null,
      finishedAt: null,
      attempts: 1,
      error: INTERRUPTED_ERROR,
    });
    await expect(registry.heartbeat(job.id, 'worker-1')).rejects.toMatchObject({ state: 'queued' });

    const second = await registry.claimJob(job.id, 'worker-2');
    expect(second).toMatchObject({ state: 'running', owner: 'worker-2', attempts: 2, error: null });
    await backdateHeartbeat(job.id, 10 * 60_000);
    const [exhausted] = await registry.recoverInterruptedJobs({ staleAfterMs: 60_000, requeue: true, maxAttempts: 2 });
    expect(exhausted).toMatchObject({ id: job.id, state: 'failed', attempts: 2, error: INTERRUPTED_ERROR });
    await expect(registry.recoverInterruptedJobs({ staleAfterMs: -1, requeue: true })).rejects.toThrow(RangeError);
    await expect(registry.recoverInterruptedJobs({ staleAfterMs: 1, requeue: 'yes' as never })).rejects.toThrow(
      TypeError,
    );
  });

  it('recovers a job whose heartbeats stop, as time passes (polled)', async () => {
    const model = uniqueModel('poll');
    const job = await runningJob(model, 'worker-stops');
    // Nothing beats any more: within a short staleness, a poll of the recovery finds it.
    const recovered = await waitFor(
      async () =>
        (await registry.recoverInterruptedJobs({ staleAfterMs: 200, requeue: false })).find((j) => j.id === job.id),
      { timeoutMs: 10_000, intervalMs: 50, message: 'the quiet job recovered' },
    );
    expect(recovered).toMatchObject({ state: 'failed', error: INTERRUPTED_ERROR });
  });
});
