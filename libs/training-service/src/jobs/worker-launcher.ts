import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DataSource } from 'typeorm';
import { DbBridgeHost } from './db-bridge';
import {
  TRAINING_WORKER_KIND,
  type JobRunSummary,
  type TrainingWorkerData,
  type TrainingWorkerJob,
  type WorkerDatabase,
  type WorkerMessage,
} from './worker-protocol';

const WORKER_FILE = 'training-job.worker';

/**
 * The worker thread's entry: the compiled file beside this one. Run from the TypeScript sources (Jest),
 * that is its build in dist/ (`node tools/build.mjs`), since a worker thread runs plain JavaScript.
 */
export function trainingWorkerEntry(): string {
  if (__filename.endsWith('.js')) return path.join(__dirname, `${WORKER_FILE}.js`);
  const root = path.resolve(__dirname, '..', '..', '..', '..');
  const built = path.join(
    root,
    'dist',
    path.relative(root, __dirname).replace(/[/\\]src([/\\]|$)/, '$1'),
    `${WORKER_FILE}.js`,
  );
  if (!existsSync(built))
    throw new Error(`the training worker is not built (${built} is missing): run node tools/build.mjs`);
  return built;
}

export interface WorkerRunOptions {
  readonly entry: string;
  readonly database: WorkerDatabase;
  /** With `database.kind` bridge: the DataSource the worker's statements run on. */
  readonly dataSource?: DataSource;
  readonly codeVersion?: string;
  readonly onProgress?: (p: { phase: string; progress: number; message: string }) => void;
  /** Aborting it terminates the worker (the run is abandoned, not failed). */
  readonly signal?: AbortSignal;
}

/** Runs one job in a fresh worker thread; resolves with its summary, rejects with its error. */
export function runJobInWorker(job: TrainingWorkerJob, options: WorkerRunOptions): Promise<JobRunSummary> {
  const workerData: TrainingWorkerData = {
    kind: TRAINING_WORKER_KIND,
    job,
    database: options.database,
    ...(options.codeVersion === undefined ? {} : { codeVersion: options.codeVersion }),
  };
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(abortError());
    const worker = new Worker(options.entry, { workerData });
    const bridge =
      options.database.kind === 'bridge'
        ? new DbBridgeHost(options.dataSource!, (response) => worker.postMessage(response))
        : undefined;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      // The worker is done (or abandoned) either way; what it left open on the bridge is rolled back.
      void worker.terminate().finally(() => bridge?.close());
      outcome();
    };
    const onAbort = () => settle(() => reject(abortError()));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'db':
          if (bridge) void bridge.handle(message);
          break;
        case 'progress':
          options.onProgress?.(message);
          break;
        case 'done':
          settle(() => resolve(message.summary));
          break;
        case 'failed':
          settle(() => reject(Object.assign(new Error(message.message), { name: message.name })));
          break;
      }
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the training worker stopped (exit code ${code})`))));
  });
}

function abortError(): Error {
  return Object.assign(new Error('the training run was abandoned'), { name: 'AbortError' });
}
