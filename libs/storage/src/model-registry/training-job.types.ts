export type TrainingJobState = 'queued' | 'running' | 'succeeded' | 'failed';

export const TRAINING_JOB_STATES: readonly TrainingJobState[] = ['queued', 'running', 'succeeded', 'failed'];

/** A training request to queue (training.requests.v1); `requestId` deduplicates it. */
export interface NewTrainingJob {
  readonly requestId: string;
  readonly model: string;
  readonly params?: Readonly<Record<string, unknown>>;
  /** Event-time range of the training examples; absent or null: open. Date or ISO string. */
  readonly trainFrom?: Date | string | null;
  readonly trainUntil?: Date | string | null;
  readonly trigger: string;
  readonly reason: string;
  readonly requestedBy: string;
}

/** A training job. Timestamps are ISO strings. */
export interface TrainingJob {
  readonly id: string;
  readonly requestId: string;
  readonly model: string;
  readonly state: TrainingJobState;
  readonly phase: string;
  /** 0..1 */
  readonly progress: number;
  readonly params: Record<string, unknown>;
  readonly trainFrom: string | null;
  readonly trainUntil: string | null;
  readonly trigger: string;
  readonly reason: string;
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly heartbeatAt: string | null;
  /** Who runs it (set by claimJob); null while queued. */
  readonly owner: string | null;
  /** How many times it was claimed (more than 1: it was interrupted and queued again). */
  readonly attempts: number;
  /** The version it registered. */
  readonly version: number | null;
  /** Why it failed; on a queued job, why its last run was interrupted. */
  readonly error: string | null;
  readonly result: unknown;
}

export interface CreateJobResult {
  readonly job: TrainingJob;
  /** False: a job with this request id existed already (a redelivered or repeated request); it is returned. */
  readonly created: boolean;
}

export interface ListJobsOptions {
  readonly model?: string;
  readonly state?: TrainingJobState;
  /** Default 50, at most 1000. */
  readonly limit?: number;
}

export interface JobProgress {
  readonly phase?: string;
  /** 0..1 */
  readonly progress?: number;
}

export interface JobOutcome {
  /** The version registered by the run, null when it registered none. */
  readonly version: number | null;
  readonly result?: unknown;
}

export interface RecoverJobsOptions {
  /** A running job whose last heartbeat is older than this is taken as interrupted. */
  readonly staleAfterMs: number;
  /** True: queue it again (owner cleared); false: mark it failed. */
  readonly requeue: boolean;
  /** With requeue: a job claimed this many times already is failed instead (it may be what stops its runners). */
  readonly maxAttempts?: number;
}

export const INTERRUPTED_ERROR = 'interrupted: the process running it stopped';
