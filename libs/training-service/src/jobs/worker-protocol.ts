import type { GateVerdict } from '@pulse/training';

// What the service's main thread and a training worker thread say to each other.

/** Marks the workerData of a training worker (the entry file does nothing when loaded otherwise). */
export const TRAINING_WORKER_KIND = 'pulse-training-job';

/** How the worker reaches the database: its own connection, or the main thread's (see DbBridgeHost). */
export type WorkerDatabase = { readonly kind: 'url'; readonly url: string } | { readonly kind: 'bridge' };

export interface TrainingWorkerJob {
  readonly id: string;
  readonly model: string;
  readonly params: Readonly<Record<string, string | number>>;
  readonly fromMs?: number;
  readonly untilMs?: number;
  /** Who asked: the version's creator and the alias move's actor. */
  readonly actor: string;
}

export interface TrainingWorkerData {
  readonly kind: typeof TRAINING_WORKER_KIND;
  readonly job: TrainingWorkerJob;
  readonly database: WorkerDatabase;
  readonly codeVersion?: string;
}

/** What a run registered and how it was judged: the job's result, the metrics' and the lifecycle's source. */
export interface JobRunSummary {
  readonly version: number | null;
  /** The alias the version received (champion, challenger) or null when a gate failed. */
  readonly alias: string | null;
  /** Whether that alias move changed anything (false: it pointed there already). */
  readonly aliasChanged: boolean;
  /** The quality and fairness gates (the champion gate only decides the alias). */
  readonly qualityGatesPassed: boolean;
  readonly metrics: Readonly<Record<string, number>>;
  readonly gates: readonly GateVerdict[];
  readonly rows: { readonly train: number; readonly validation: number; readonly test: number };
  readonly contentSha256: string | null;
  /** Feature view versions the model reads, by view name (for the lifecycle event). */
  readonly featureViewVersions: Readonly<Record<string, number>>;
  /** Set when the run found the version its job had registered before (a resumed job). */
  readonly resumed?: boolean;
}

export type BridgeRequest =
  | {
      readonly type: 'db';
      readonly id: number;
      readonly op: 'query';
      readonly sql: string;
      readonly params?: unknown[];
      readonly tx?: number;
    }
  | { readonly type: 'db'; readonly id: number; readonly op: 'begin' }
  | { readonly type: 'db'; readonly id: number; readonly op: 'commit' | 'rollback'; readonly tx: number };

export type BridgeResponse =
  | { readonly type: 'db-result'; readonly id: number; readonly value: unknown }
  | {
      readonly type: 'db-error';
      readonly id: number;
      readonly name: string;
      readonly message: string;
      readonly code?: string;
    };

export type WorkerMessage =
  | { readonly type: 'progress'; readonly phase: string; readonly progress: number; readonly message: string }
  | { readonly type: 'done'; readonly summary: JobRunSummary }
  | { readonly type: 'failed'; readonly name: string; readonly message: string }
  | BridgeRequest;
