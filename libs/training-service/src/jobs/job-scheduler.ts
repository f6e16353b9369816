import { JobStateError, type JobProgress, type ModelRegistryRepository, type TrainingJob } from '@pulse/storage';
import { resumeRegisteredVersion } from './resume-registered-version';
import type { JobRunSummary, TrainingWorkerJob } from './worker-protocol';
import { WakeableLoop } from '@pulse/core';

export interface JobRunHooks {
  readonly onProgress: (p: { phase: string; progress: number }) => void;
  readonly signal: AbortSignal;
}

/** What the scheduler tells the rest of the service (metrics, the lifecycle topic, logs). */
export interface JobSchedulerEvents {
  onStarted?(job: TrainingJob): void;
  onFinished?(job: TrainingJob, summary: JobRunSummary, seconds: number): void;
  onFailed?(job: TrainingJob, error: Error, seconds: number): void;
  onRecovered?(jobs: readonly TrainingJob[]): void;
  /** How many jobs this copy runs, after each change. */
  onActiveChanged?(active: number): void;
  onError?(message: string, error: unknown): void;
}

export interface JobSchedulerOptions {
  readonly registry: ModelRegistryRepository;
  /** Unique per process: the jobs it claims are recorded as its own. */
  readonly owner: string;
  readonly concurrency: number;
  /** A running job whose heartbeat is older than this is interrupted: queued again (or failed). */
  readonly staleAfterMs: number;
  readonly maxAttempts: number;
  /** Queued jobs are looked for this often besides on wake(). */
  readonly pollMs: number;
  /** Trains a claimed job (in a worker thread, in the service). */
  readonly run: (job: TrainingWorkerJob, hooks: JobRunHooks) => Promise<JobRunSummary>;
  /**
   * The event log's newest event time. A job whose training range ends after it (trainUntil, e.g. a
   * retraining asked for once data after a drift exists) waits, and the jobs behind it go first.
   * Read at most every WATERMARK_REFRESH_MS, and only while such a job waits. Absent: jobs never wait.
   */
  readonly dataWatermark?: () => Promise<number>;
  readonly events?: JobSchedulerEvents;
}

// The watermark is a scan of the log: read it seldom, and only while a job waits for data.
const WATERMARK_REFRESH_MS = 2000;

interface Running {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * Claims queued jobs, at most `concurrency` at a time, and runs each to its end: heartbeats carry its
 * phase and progress while it runs; its owner finishes it with the version or fails it with the error.
 * Interrupted jobs (a runner that stopped heartbeating: its process died) are queued again, on start
 * and then periodically, or failed once claimed `maxAttempts` times, so none stays running forever.
 */
export class JobScheduler {
  private readonly running = new Map<string, Running>();
  private readonly loop: WakeableLoop;
  private lastRecovery = 0;
  private watermark = { ms: -Infinity, readAt: -Infinity };

  constructor(private readonly options: JobSchedulerOptions) {
    this.loop = new WakeableLoop(() => this.tick(), options.pollMs);
  }

  /** Jobs this copy runs now. */
  get active(): number {
    return this.running.size;
  }

  /** Recovers interrupted jobs, then starts claiming. */
  async start(): Promise<void> {
    await this.recover();
    this.loop.start();
  }

  /** Looks for queued jobs now (a request was just queued, or a run ended). */
  wake(): void {
    this.loop.wake();
  }

  /**
   * Stops claiming and abandons the runs under way (their workers are terminated): their jobs stay
   * running until their heartbeats are stale, then whichever copy recovers them queues them again.
   */
  async stop(): Promise<void> {
    await this.loop.stop();
    for (const r of this.running.values()) r.controller.abort();
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private async tick(): Promise<void> {
    try {
      if (Date.now() - this.lastRecovery >= this.recoveryIntervalMs()) await this.recover();
      while (!this.loop.isStopped && this.running.size < this.options.concurrency) {
        const next = await this.nextReadyJob();
        if (next === null) return;
        const claimed = await this.options.registry.claimJob(next.id, this.options.owner);
        // Another copy took it first: look for the next one.
        if (claimed !== null) this.launch(claimed);
      }
    } catch (err) {
      this.options.events?.onError?.('looking for queued training jobs failed', err);
    }
  }

  /** The oldest queued job whose data exists (see dataWatermark). */
  private async nextReadyJob(): Promise<TrainingJob | null> {
    const { registry, dataWatermark } = this.options;
    const next = await registry.nextQueuedJob();
    if (next === null || next.trainUntil === null || dataWatermark === undefined) return next;
    if (Date.parse(next.trainUntil) <= this.watermark.ms) return next;
    if (Date.now() - this.watermark.readAt >= WATERMARK_REFRESH_MS)
      this.watermark = { ms: await dataWatermark(), readAt: Date.now() };
    return registry.nextQueuedJob(this.watermark.ms);
  }

  private recoveryIntervalMs(): number {
    return Math.max(250, Math.floor(this.options.staleAfterMs / 2));
  }

  private async recover(): Promise<void> {
    this.lastRecovery = Date.now();
    try {
      const recovered = await this.options.registry.recoverInterruptedJobs({
        staleAfterMs: this.options.staleAfterMs,
        requeue: true,
        maxAttempts: this.options.maxAttempts,
      });
      if (recovered.length > 0) this.options.events?.onRecovered?.(recovered);
    } catch (err) {
      this.options.events?.onError?.('recovering interrupted training jobs failed', err);
    }
  }

  private launch(job: TrainingJob): void {
    const controller = new AbortController();
    const done = this.runJob(job, controller).finally(() => {
      this.running.delete(job.id);
      this.options.events?.onActiveChanged?.(this.running.size);
      this.wake();
    });
    this.running.set(job.id, { controller, done });
    this.options.events?.onActiveChanged?.(this.running.size);
  }

  private async runJob(job: TrainingJob, controller: AbortController): Promise<void> {
    const { registry, owner, events } = this.options;
    const started = Date.now();
    const seconds = () => (Date.now() - started) / 1000;
    let progress: JobProgress = { phase: 'starting', progress: 0 };
    let lost = false;
    let beating = false;
    // Several beats within the staleness, so one slow round trip does not make a live job look dead.
    const beat = setInterval(
      () => {
        if (beating) return;
        beating = true;
        registry
          .heartbeat(job.id, owner, progress)
          .catch((err) => {
            if (!(err instanceof JobStateError)) return events?.onError?.(`heartbeat of job ${job.id} failed`, err);
            // Recovered as interrupted (or ended) meanwhile: another runner has it now.
            lost = true;
            controller.abort();
          })
          .finally(() => (beating = false));
      },
      Math.min(5000, Math.max(100, Math.floor(this.options.staleAfterMs / 4))),
    );
    try {
      events?.onStarted?.(job);
      const registered = await registry.versionByJob(job.id);
      // stopped while looking: a run started now would never hear the abort that already happened
      if (controller.signal.aborted) return;
      const summary = registered
        ? await resumeRegisteredVersion(registry, registered, job.requestedBy)
        : await this.options.run(workerJob(job), {
            signal: controller.signal,
            onProgress: (p) => (progress = { phase: p.phase, progress: Math.min(1, Math.max(0, p.progress)) }),
          });
      if (lost) return;
      await registry.finishJob(job.id, owner, { version: summary.version, result: jobResult(summary) });
      events?.onFinished?.(job, summary, seconds());
    } catch (err) {
      // Abandoned (stopping, or the job was taken from this runner): not a failure of the job.
      if (lost || controller.signal.aborted || err instanceof JobStateError) return;
      const error = err instanceof Error ? err : new Error(String(err));
      try {
        await registry.failJob(job.id, owner, error.message || error.name);
      } catch (failErr) {
        events?.onError?.(`recording the failure of job ${job.id} failed`, failErr);
      }
      events?.onFailed?.(job, error, seconds());
    } finally {
      clearInterval(beat);
    }
  }
}

/** What GET /v1/training-jobs/{id} shows as the job's result. */
export function jobResult(summary: JobRunSummary): Record<string, unknown> {
  return {
    metrics: summary.metrics,
    gates: summary.gates,
    gatesPassed: summary.qualityGatesPassed,
    alias: summary.alias,
    rows: summary.rows,
    contentSha256: summary.contentSha256,
    ...(summary.resumed ? { resumed: true } : {}),
  };
}

function workerJob(job: TrainingJob): TrainingWorkerJob {
  const params: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(job.params ?? {}))
    params[key] = typeof value === 'number' ? value : String(value);
  return {
    id: job.id,
    model: job.model,
    params,
    ...(job.trainFrom === null ? {} : { fromMs: Date.parse(job.trainFrom) }),
    ...(job.trainUntil === null ? {} : { untilMs: Date.parse(job.trainUntil) }),
    actor: job.requestedBy,
  };
}
