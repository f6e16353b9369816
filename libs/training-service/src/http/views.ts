import type { AliasMove, AliasMoveResult, ModelVersionRecord, TrainingJob } from '@pulse/storage';

// What the HTTP API answers: the registry's records, shaped for a reader, with links to what they name.

const versionPath = (model: string, version: number) => `/v1/models/${model}/versions/${version}`;

export function jobView(job: TrainingJob): Record<string, unknown> {
  return {
    id: job.id,
    requestId: job.requestId,
    model: job.model,
    state: job.state,
    phase: job.phase,
    progress: job.progress,
    error: job.error,
    version: job.version,
    result: job.result,
    params: job.params,
    from: job.trainFrom,
    until: job.trainUntil,
    trigger: job.trigger,
    reason: job.reason,
    requestedBy: job.requestedBy,
    attempts: job.attempts,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    heartbeatAt: job.heartbeatAt,
    links: {
      self: `/v1/training-jobs/${job.id}`,
      ...(job.version === null
        ? {}
        : { version: versionPath(job.model, job.version), report: `${versionPath(job.model, job.version)}/report` }),
    },
  };
}

/** A version in a list: what it scored and whether it passed, without the large parts. */
export function versionSummaryView(v: ModelVersionRecord, aliases: readonly string[]): Record<string, unknown> {
  return {
    model: v.model,
    version: v.version,
    specVersion: v.specVersion,
    task: v.task,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    trainingJobId: v.trainingJobId,
    aliases,
    metrics: v.metrics,
    gatesPassed: v.gatesPassed,
    contentSha256: v.contentSha256,
    links: versionLinks(v),
  };
}

/** A version with its gates, signature, lineage, digests and evaluation. */
export function versionDetailView(v: ModelVersionRecord, aliases: readonly string[]): Record<string, unknown> {
  return {
    ...versionSummaryView(v, aliases),
    gates: v.gates,
    signature: v.signature,
    lineage: v.lineage,
    artifacts: {
      onnx: { sha256: v.onnxSha256, bytes: v.onnxBytes },
      json: { sha256: v.modelJsonSha256, bytes: v.modelJsonBytes },
    },
    evaluation: v.evaluation,
  };
}

export function moveView(move: AliasMove | AliasMoveResult): Record<string, unknown> {
  return { ...move };
}

function versionLinks(v: ModelVersionRecord): Record<string, string> {
  const base = versionPath(v.model, v.version);
  return {
    self: base,
    report: `${base}/report`,
    onnx: `${base}/artifact?format=onnx`,
    json: `${base}/artifact?format=json`,
  };
}
