import { builtAppMain, ensureBuilt, freePort, ServiceProcess, waitFor } from '@pulse/testing';
import { INTERRUPTED_ERROR, type TrainingJob } from '@pulse/storage';
import { call, TrainingServiceHarness } from './training-service.harness';

// The built service (`node dist/apps/training-service/main.js`) killed with SIGKILL while a job
// trains: on restart the job is queued again and trained to the end, or failed once it has been
// claimed as often as allowed; never left running.
const harness = new TrainingServiceHarness();
const MODEL = 'lesson_completion';
let port: number;

beforeAll(async () => {
  await harness.setUp({ learners: 300, days: 30, seed: 1 });
  port = await freePort();
}, 120_000);
afterAll(() => harness.tearDown());

function service(env: Record<string, string>): ServiceProcess {
  return new ServiceProcess(
    'training-service',
    port,
    // A killed runner's job is stale after 1.5 s here (60 s by default).
    { ...harness.env(), TRAINING_JOB_STALE_MS: '1500', LOG_LEVEL: 'warn', ...env },
    () => ensureBuilt(builtAppMain('training-service')),
  );
}

/** Posts a job and kills the service as soon as the job is running. */
async function killWhileTraining(svc: ServiceProcess): Promise<TrainingJob> {
  const posted = await call(`${svc.url}/v1/training-jobs`, 'POST', { body: { model: MODEL } });
  expect(posted.status).toBe(202);
  const running = await waitFor(
    async () => {
      const job = await harness.registry.getJob(posted.body.id);
      return job.state === 'running' ? job : null;
    },
    { timeoutMs: 30_000, intervalMs: 20, message: 'the job running' },
  );
  await svc.kill9('while training');
  expect((await harness.registry.getJob(running.id)).state).toBe('running');
  return running;
}

describe('training-service killed with kill -9 mid-job', () => {
  it('queues the interrupted job again on restart and trains it to the end, registering one version', async () => {
    const svc = service({});
    try {
      await svc.start();
      const interrupted = await killWhileTraining(svc);
      await svc.start();
      const done = await harness.finished(interrupted.id, 120_000);
      expect(done).toMatchObject({ state: 'succeeded', attempts: 2, error: null, version: expect.any(Number) });
      const versions: { version: number }[] = await harness.storage.dataSource.query(
        'SELECT version FROM model_versions WHERE training_job_id = $1',
        [interrupted.id],
      );
      expect(versions.map((v) => v.version)).toEqual([done.version]);
    } finally {
      await svc.stop();
    }
  });

  it('fails an interrupted job that was claimed as often as allowed', async () => {
    const svc = service({ TRAINING_MAX_ATTEMPTS: '1' });
    try {
      await svc.start();
      const interrupted = await killWhileTraining(svc);
      await svc.start();
      const failed = await waitFor(
        async () => {
          const job = await harness.registry.getJob(interrupted.id);
          return job.state === 'failed' ? job : null;
        },
        { timeoutMs: 30_000, intervalMs: 100, message: 'the job failed as interrupted' },
      );
      expect(failed).toMatchObject({ attempts: 1, error: INTERRUPTED_ERROR });
      expect((await call(`${svc.url}/v1/training-jobs/${interrupted.id}`, 'GET')).body.state).toBe('failed');
    } finally {
      await svc.stop();
    }
  });
});
