import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DEFAULT_MODELS } from '@pulse/models';
import type { TrainingJob } from '@pulse/storage';
import { LatestTestMetrics, type TrainingServiceMetrics } from '../app/training-service.metrics';
import { TS_CONFIG, TS_INFRASTRUCTURE, TS_METRICS } from '../app/tokens';
import type { TrainingServiceConfig } from '../config/training-service.config';
import type { TrainingInfrastructure } from '../infrastructure/training-infrastructure';
import { jobLifecycleMessage } from '../lifecycle/lifecycle-messages';
import { LifecycleRelay } from '../lifecycle/lifecycle-relay';
import { JobScheduler } from './job-scheduler';
import { runJobInWorker, trainingWorkerEntry } from './worker-launcher';
import type { JobRunSummary } from './worker-protocol';

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * What runs in the background of the service: the job scheduler (each job in a worker thread) and the
 * lifecycle relay, wired to the metrics and to models.lifecycle.v1. Started once the app is built,
 * stopped before its connections close.
 */
@Injectable()
export class TrainingRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  readonly scheduler: JobScheduler;
  readonly relay: LifecycleRelay;
  private readonly log = new Logger('TrainingJobs');
  private readonly testMetrics: LatestTestMetrics;

  constructor(
    @Inject(TS_CONFIG) private readonly config: TrainingServiceConfig,
    @Inject(TS_INFRASTRUCTURE) private readonly infra: TrainingInfrastructure,
    @Inject(TS_METRICS) private readonly metrics: TrainingServiceMetrics,
  ) {
    this.testMetrics = new LatestTestMetrics(metrics.testMetric);
    // Counters exist at 0 per declared model, so a rate over a model's first job is not lost.
    for (const model of Object.keys(DEFAULT_MODELS)) {
      for (const outcome of ['succeeded', 'gate_failed', 'failed']) metrics.jobs.inc({ model, outcome }, 0);
      metrics.registeredVersions.inc({ model }, 0);
    }
    this.relay = new LifecycleRelay({
      registry: infra.registry,
      publisher: infra.publisher,
      topic: config.topics.lifecycle,
      pollMs: config.lifecyclePollMs,
      onError: (message, err) => this.log.warn(`${message}: ${describe(err)}`),
    });
    const database = infra.workerDatabaseUrl
      ? ({ kind: 'url', url: infra.workerDatabaseUrl } as const)
      : ({ kind: 'bridge' } as const);
    this.scheduler = new JobScheduler({
      registry: infra.registry,
      owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      concurrency: config.concurrency,
      staleAfterMs: config.jobStaleMs,
      maxAttempts: config.maxAttempts,
      pollMs: config.pollMs,
      dataWatermark: async () => {
        const [row]: { w: string | null }[] = await infra.dataSource.query(
          'SELECT max(event_time_ms) AS w FROM event_log',
        );
        return row?.w === null || row?.w === undefined ? -Infinity : Number(row.w);
      },
      run: (job, hooks) =>
        runJobInWorker(job, {
          entry: trainingWorkerEntry(),
          database,
          dataSource: infra.dataSource,
          codeVersion: config.codeVersion,
          onProgress: hooks.onProgress,
          signal: hooks.signal,
        }),
      events: {
        onStarted: (job) => this.started(job),
        onFinished: (job, summary, seconds) => this.finished(job, summary, seconds),
        onFailed: (job, error, seconds) => this.failed(job, error, seconds),
        onRecovered: (jobs) => this.recovered(jobs),
        onActiveChanged: (active) => metrics.jobsRunning.set(active),
        onError: (message, err) => this.log.warn(`${message}: ${describe(err)}`),
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.showLatestVersions();
    this.relay.start();
    await this.scheduler.start();
  }

  // Module destroy precedes the connections' shutdown: nothing runs on a closing database or bus.
  async onModuleDestroy(): Promise<void> {
    await this.scheduler.stop();
    await this.relay.stop();
  }

  /** A job was queued: claim it now rather than at the next poll. */
  wake(): void {
    this.scheduler.wake();
  }

  /** An alias was moved through the API: counted, and its lifecycle event published now. */
  aliasMoved(model: string, alias: string): void {
    this.metrics.aliasMoves.inc({ model, alias });
    this.relay.wake();
  }

  private started(job: TrainingJob): void {
    this.log.log(`job ${job.id}: training ${job.model} (attempt ${job.attempts}, requested by ${job.requestedBy})`);
    void this.relay.publishDirect(
      jobLifecycleMessage(job, 'training_started', `attempt ${job.attempts}${job.reason ? `: ${job.reason}` : ''}`),
    );
  }

  private finished(job: TrainingJob, summary: JobRunSummary, seconds: number): void {
    const { model } = job;
    const outcome = summary.qualityGatesPassed ? 'succeeded' : 'gate_failed';
    this.metrics.jobs.inc({ model, outcome });
    this.metrics.jobDuration.observe({ model }, seconds);
    if (summary.version !== null) {
      if (!summary.resumed) this.metrics.registeredVersions.inc({ model });
      this.testMetrics.show(model, summary.version, summary.metrics);
    }
    if (summary.alias !== null && summary.aliasChanged) this.metrics.aliasMoves.inc({ model, alias: summary.alias });
    for (const [split, rows] of Object.entries(summary.rows)) this.metrics.trainingSetRows.set({ model, split }, rows);
    const failed = summary.gates.filter((g) => !g.passed).map((g) => g.name);
    this.log.log(
      `job ${job.id}: ${model} v${summary.version} in ${seconds.toFixed(1)} s, ${summary.alias ?? 'not aliased'}${
        failed.length > 0 ? ` (gates not passed: ${failed.join('; ')})` : ''
      }${summary.resumed ? ' (registered before the interruption)' : ''}`,
    );
    this.relay.wake();
  }

  private failed(job: TrainingJob, error: Error, seconds: number): void {
    this.metrics.jobs.inc({ model: job.model, outcome: 'failed' });
    this.metrics.jobDuration.observe({ model: job.model }, seconds);
    this.log.warn(`job ${job.id}: training ${job.model} failed after ${seconds.toFixed(1)} s: ${error.message}`);
    void this.relay.publishDirect(jobLifecycleMessage(job, 'training_failed', error.message || error.name));
  }

  private recovered(jobs: readonly TrainingJob[]): void {
    for (const job of jobs) {
      const requeued = job.state === 'queued';
      this.log.warn(
        `job ${job.id} (${job.model}) was interrupted: ${requeued ? `queued again (attempt ${job.attempts + 1} next)` : `failed after ${job.attempts} attempts`}`,
      );
      if (requeued) continue;
      this.metrics.jobs.inc({ model: job.model, outcome: 'failed' });
      void this.relay.publishDirect(jobLifecycleMessage(job, 'training_failed', job.error ?? 'interrupted'));
    }
    this.scheduler.wake();
  }

  /** The gauges of the latest versions, as the registry has them (also after a restart). */
  private async showLatestVersions(): Promise<void> {
    try {
      for (const summary of await this.infra.registry.listModels()) {
        const version = await this.infra.registry.getVersion(summary.model, summary.latestVersion);
        this.testMetrics.show(summary.model, version.version, version.metrics);
      }
    } catch (err) {
      this.log.warn(`reading the registered versions for the metrics failed: ${describe(err)}`);
    }
  }
}
