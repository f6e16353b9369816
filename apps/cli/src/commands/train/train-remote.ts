import fs from 'node:fs';
import type { Evaluation, GateVerdict } from '@pulse/training';
import type { TrainOptions } from '../train.command';
import { trainingProgressBar } from './train-progress';
import { summarize, type TrainSummary } from './train-summary';

interface JobView {
  readonly id: string;
  readonly state: 'queued' | 'running' | 'succeeded' | 'failed';
  readonly phase?: string | null;
  readonly progress?: number | null;
  readonly error?: string | null;
  readonly version?: number | null;
  readonly result?: { readonly alias?: string | null } | null;
}

interface VersionView {
  readonly version: number;
  readonly evaluation: Evaluation;
  readonly gates: GateVerdict[];
  readonly contentSha256: string;
}

/**
 * Trains through the running training-service: queues a job, follows it with a progress bar, then
 * reads the registered version. The service runs the same pipeline as the local modes.
 */
export async function trainRemotely(
  baseUrl: string,
  model: string,
  options: TrainOptions,
  token: string | undefined,
): Promise<TrainSummary> {
  if (options.oracle) throw new Error('--oracle needs --events (the oracle scores the examples of an exported file)');
  if (options.permuteLabels !== undefined) throw new Error('--permute-labels needs --events or --database-url');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${url}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new Error(
        `cannot reach training-service at ${baseUrl} (${(err as Error).message}); start the platform (npm start), or train from a file with --events or from a database with --database-url`,
      );
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
  const body = {
    model,
    ...(options.from !== undefined ? { from: new Date(options.from).toISOString() } : {}),
    ...(options.until !== undefined ? { until: new Date(options.until).toISOString() } : {}),
    ...(options.params ? { params: options.params } : {}),
  };
  let job = await call<JobView>('POST', '/v1/training-jobs', body);
  const bar = trainingProgressBar(options.progress && !options.json && process.stderr.isTTY === true);
  try {
    while (job.state === 'queued' || job.state === 'running') {
      bar.update({ phase: (job.phase ?? job.state) as never, progress: job.progress ?? 0, message: job.state });
      await new Promise((r) => setTimeout(r, 500));
      job = await call<JobView>('GET', `/v1/training-jobs/${encodeURIComponent(job.id)}`);
    }
  } finally {
    bar.stop();
  }
  if (job.state === 'failed' || job.version === null || job.version === undefined)
    throw new Error(`training job ${job.id} failed: ${job.error ?? 'no version registered'}`);
  const version = await call<VersionView>('GET', `/v1/models/${model}/versions/${job.version}`);
  if (options.report) {
    const res = await fetch(`${baseUrl}/v1/models/${model}/versions/${job.version}/report`);
    fs.writeFileSync(options.report, await res.text());
  }
  return summarize(model, version.evaluation, version.gates, {
    version: version.version,
    alias: job.result?.alias ?? null,
    contentSha256: version.contentSha256,
    report: options.report ?? null,
  });
}
