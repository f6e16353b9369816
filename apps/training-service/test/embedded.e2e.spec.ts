import type { INestApplication } from '@nestjs/common';
import type { BusMessage, Subscription } from '@pulse/bus';
import { decodeModelLifecycle } from '@pulse/contracts';
import {
  loadConfig,
  startSharedInfrastructure,
  type SharedInfrastructure,
  type SimulatorBackfill,
} from '@pulse/nest-common';
import { ModelRegistryRepository, type TrainingJob } from '@pulse/storage';
import { ensureBuilt, waitFor } from '@pulse/testing';
import { createTrainingServiceApp, loadTrainingServiceConfig } from '@pulse/training-service';
import type { AddressInfo } from 'node:net';
import { appendSimulation, call, trainingWorkerEntryPath } from './training-service.harness';

// Embedded, as the platform runs it: PGlite (one connection, reached by the worker thread through the
// main thread) and the in-process bus. Once the simulator's backfill is in the log, the default models
// without a champion are trained unasked.
describe('training-service embedded', () => {
  let shared: SharedInfrastructure;
  let app: INestApplication;
  let url: string;
  let lifecycle: Subscription;
  const published: BusMessage[] = [];
  let backfilled!: (done: SimulatorBackfill) => void;

  beforeAll(async () => {
    await ensureBuilt(trainingWorkerEntryPath());
    const config = loadConfig({ load: loadTrainingServiceConfig, env: { PORT: '0', TRAINING_POLL_MS: '200' } });
    shared = await startSharedInfrastructure(config);
    expect(shared.embedded).toMatchObject({ bus: true, database: true });
    // Without profile attributes the fairness gates pass: the first lesson_completion becomes champion.
    await appendSimulation(shared.storage, { learners: 300, days: 30, seed: 4, withoutProfiles: true });
    lifecycle = await shared.bus.subscribe({
      groupId: 'lifecycle-reader',
      topics: [config.topics.lifecycle],
      fromBeginning: true,
      handler: async (batch) => void published.push(...batch),
    });
    const simulatorBackfill = new Promise<SimulatorBackfill>((resolve) => (backfilled = resolve));
    app = await createTrainingServiceApp(config, { shared, simulatorBackfill, shutdownHooks: false, logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await lifecycle?.stop();
    await shared?.close();
  });

  it('trains the default models once the backfill is in, in a worker thread on the embedded database', async () => {
    const registry = new ModelRegistryRepository(shared.storage.dataSource);
    // Nothing is trained before the simulator says its backfill is published.
    expect(await registry.listJobs()).toEqual([]);
    const [{ watermark, events }]: { watermark: string; events: string }[] = await shared.storage.dataSource.query(
      'SELECT max(event_time_ms) AS watermark, count(*) AS events FROM event_log',
    );
    backfilled({ eventTimeMs: Number(watermark), events: Number(events) });
    const day = new Date(Number(watermark)).toISOString().slice(0, 10);

    const ended = (requestId: string) =>
      waitFor(
        async () => {
          const job = await registry.getJobByRequest(requestId);
          return job && (job.state === 'succeeded' || job.state === 'failed') ? job : null;
        },
        { timeoutMs: 180_000, intervalMs: 250, message: `${requestId} ended` },
      );
    const lesson: TrainingJob = await ended(`bootstrap-lesson_completion-${day}`);
    expect(lesson).toMatchObject({
      state: 'succeeded',
      trigger: 'bootstrap',
      requestedBy: 'training-service',
      version: 1,
    });
    expect(await registry.resolveAlias('lesson_completion', 'champion')).toBe(1);
    const report = await fetch(`${url}/v1/models/lesson_completion/versions/1/report`);
    expect(report.status).toBe(200);
    expect(await report.text()).toContain('<svg');

    // 30 days of 300 learners hold too few dropout_risk examples: the job says so and registers nothing.
    const dropout = await ended(`bootstrap-dropout_risk-${day}`);
    expect(dropout.state).toBe('failed');
    expect(dropout.error).toMatch(/examples|rows|split/);

    // No tokens set: anyone may change things, recorded as anonymous.
    const moved = await call(`${url}/v1/models/lesson_completion/aliases/shadow`, 'PUT', { body: { version: 1 } });
    expect(moved).toMatchObject({ status: 200, body: { actor: 'anonymous' } });

    const types = await waitFor(
      () => {
        const seen = published.map((m) => decodeModelLifecycle(m.value, m.headers['content-type']).type);
        return seen.includes('training_failed') && seen.filter((t) => t === 'alias_moved').length === 2 ? seen : null;
      },
      { timeoutMs: 10_000, message: 'the lifecycle events on the in-process bus' },
    );
    expect(types).toEqual(expect.arrayContaining(['training_started', 'registered', 'alias_moved', 'training_failed']));
  });
});
