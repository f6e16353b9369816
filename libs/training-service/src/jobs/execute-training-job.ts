import { learningEngagementRegistry } from '@pulse/features';
import { DEFAULT_MODELS } from '@pulse/models';
import { EventLogRepository, ModelRegistryRepository } from '@pulse/storage';
import type { TrainingProgress } from '@pulse/training';
import { eventLogSource, runTrainingJob, type TrainingJobOutcome } from '@pulse/training-jobs';
import type { DataSource } from 'typeorm';
import type { JobRunSummary, TrainingWorkerJob } from './worker-protocol';

export interface ExecuteTrainingJobOptions {
  readonly codeVersion?: string;
  readonly onProgress?: (p: TrainingProgress) => void;
}

/**
 * One job's run, as a worker thread does it: the event log frozen at its watermark, the model's spec
 * and the learning-engagement feature views (the defaults, as the CLI uses them), through
 * runTrainingJob, so a version trained here has the contents the CLI or a direct call would give it.
 */
export async function executeTrainingJob(
  dataSource: DataSource,
  job: TrainingWorkerJob,
  options: ExecuteTrainingJobOptions = {},
): Promise<JobRunSummary> {
  const spec = DEFAULT_MODELS[job.model];
  if (spec === undefined) throw new Error(`no model spec named ${JSON.stringify(job.model)}`);
  const eventLog = new EventLogRepository(dataSource);
  const outcome = await runTrainingJob({
    spec,
    featureRegistry: learningEngagementRegistry(),
    source: await eventLogSource(dataSource, eventLog),
    registry: new ModelRegistryRepository(dataSource),
    params: job.params,
    fromMs: job.fromMs,
    untilMs: job.untilMs,
    actor: job.actor,
    jobId: job.id,
    codeVersion: options.codeVersion,
    onProgress: options.onProgress,
  });
  return summarizeOutcome(outcome);
}

export function summarizeOutcome(outcome: TrainingJobOutcome): JobRunSummary {
  const { candidate } = outcome;
  const viewVersions = (candidate.lineage.viewVersions ?? {}) as Record<string, number>;
  return {
    version: outcome.version?.version ?? null,
    alias: outcome.alias,
    aliasChanged: outcome.aliasMove?.changed ?? false,
    qualityGatesPassed: candidate.gatesPassed,
    metrics: { ...candidate.evaluation.metrics },
    gates: candidate.gates.map((g) => ({ ...g })),
    rows: { ...candidate.evaluation.rows },
    contentSha256: candidate.contentSha256,
    featureViewVersions: { ...viewVersions },
  };
}
