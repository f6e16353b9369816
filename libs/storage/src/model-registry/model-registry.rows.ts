import type {
  AliasMove,
  ModelSignature,
  ModelVersionRecord,
  TestSample,
  StoredGateVerdict,
} from './model-registry.types';
import type { TrainingJob, TrainingJobState } from './training-job.types';

// Rows in the shape the pg driver returns them (timestamptz as Date, jsonb parsed, bytea as Buffer,
// bigint as text) and their conversion to the records the repository returns.

/** Every column of a version but the artifacts, plus the artifacts' sizes. */
export const VERSION_COLUMNS = `model, version, spec_version, task, created_at, created_by, training_job_id, metrics, gates,
  gates_passed, signature, lineage, evaluation, test_sample, onnx_sha256, octet_length(onnx) AS onnx_bytes,
  model_json_sha256, octet_length(model_json) AS model_json_bytes, content_sha256, reference_profile`;

export const ARTIFACT_COLUMNS = 'onnx, model_json, report_html';

export interface VersionRow {
  model: string;
  version: number;
  spec_version: number;
  task: string;
  created_at: Date;
  created_by: string;
  training_job_id: string | null;
  metrics: Record<string, number>;
  gates: StoredGateVerdict[];
  gates_passed: boolean;
  signature: ModelSignature;
  lineage: Record<string, unknown>;
  evaluation: Record<string, unknown>;
  test_sample: { rows: (number | null)[][]; scores: number[][] };
  onnx_sha256: string;
  onnx_bytes: number;
  model_json_sha256: string;
  model_json_bytes: number;
  content_sha256: string;
  reference_profile: Record<string, unknown> | null;
  onnx?: Buffer;
  model_json?: string;
  report_html?: string;
}

export function versionFromRow(row: VersionRow): ModelVersionRecord {
  return {
    model: row.model,
    version: row.version,
    specVersion: row.spec_version,
    task: row.task,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    trainingJobId: row.training_job_id,
    metrics: row.metrics,
    gates: row.gates,
    gatesPassed: row.gates_passed,
    signature: row.signature,
    lineage: row.lineage,
    evaluation: row.evaluation,
    testSample: sampleFromJson(row.test_sample),
    referenceProfile: row.reference_profile ?? null,
    onnxSha256: row.onnx_sha256,
    onnxBytes: row.onnx_bytes,
    modelJsonSha256: row.model_json_sha256,
    modelJsonBytes: row.model_json_bytes,
    contentSha256: row.content_sha256,
    ...(row.onnx !== undefined
      ? { artifacts: { onnx: row.onnx, modelJson: row.model_json!, reportHtml: row.report_html! } }
      : {}),
  };
}

/** JSON has no NaN: a missing value in a sample row is stored as null and read back as NaN. */
export function sampleToJson(sample: TestSample): string {
  return JSON.stringify({ rows: sample.rows, scores: sample.scores });
}

function sampleFromJson(sample: VersionRow['test_sample']): TestSample {
  return { rows: sample.rows.map((row) => row.map((v) => (v === null ? NaN : v))), scores: sample.scores };
}

export const MOVE_COLUMNS = 'model, alias, from_version, to_version, actor, reason, moved_at, sequence';

export interface MoveRow {
  model: string;
  alias: string;
  from_version: number | null;
  to_version: number | null;
  actor: string;
  reason: string;
  moved_at: Date;
  sequence: number;
}

export function moveFromRow(row: MoveRow): AliasMove {
  return {
    model: row.model,
    alias: row.alias,
    fromVersion: row.from_version,
    toVersion: row.to_version,
    actor: row.actor,
    reason: row.reason,
    movedAt: row.moved_at.toISOString(),
    sequence: row.sequence,
  };
}

export const JOB_COLUMNS = `id, request_id, model, state, phase, progress, params, train_from, train_until, trigger, reason,
  requested_by, created_at, started_at, finished_at, heartbeat_at, owner, attempts, version, error, result`;

export interface JobRow {
  id: string;
  request_id: string;
  model: string;
  state: TrainingJobState;
  phase: string;
  progress: number;
  params: Record<string, unknown>;
  train_from: Date | null;
  train_until: Date | null;
  trigger: string;
  reason: string;
  requested_by: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  heartbeat_at: Date | null;
  owner: string | null;
  attempts: number;
  version: number | null;
  error: string | null;
  result: unknown;
}

export function jobFromRow(row: JobRow): TrainingJob {
  return {
    id: row.id,
    requestId: row.request_id,
    model: row.model,
    state: row.state,
    phase: row.phase,
    progress: row.progress,
    params: row.params,
    trainFrom: iso(row.train_from),
    trainUntil: iso(row.train_until),
    trigger: row.trigger,
    reason: row.reason,
    requestedBy: row.requested_by,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    heartbeatAt: iso(row.heartbeat_at),
    owner: row.owner,
    attempts: row.attempts,
    version: row.version,
    error: row.error,
    result: row.result,
  };
}

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}
