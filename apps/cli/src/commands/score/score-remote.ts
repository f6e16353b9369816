import type { ModelSpec } from '@pulse/models';
import type { ScoreOptions } from '../score.command';
import { readEntitiesFile } from './entity-list';
import { contextOf } from './score-local';
import { ScoreCsvWriter, type ScoreCsvRow } from './score-csv.writer';
import type { ScoreProgress } from './score-progress';
import type { ScoreSummary } from './score-summary';

/** Rows per request: the service's batch limit (INFERENCE_BATCH_MAX) is 10,000 by default. */
export const REMOTE_CHUNK = 1000;
const SERVICE_BATCH_MAX = 10_000;

/** The fields of the service's predictions the CSV reads. */
interface ServicePrediction {
  readonly entityId: string;
  readonly modelVersion: number;
  readonly alias: string;
  readonly score: number;
  readonly label?: string;
  readonly classProbabilities: Record<string, number>;
  readonly riskTier: string;
  readonly riskConfidence: number;
  readonly fallback: boolean;
}

/**
 * Scores through the running inference-service's POST /v1/predict/{model}/batch, a chunk of the
 * entities file per request: its champion (or its fallback) with the features it reads online. The
 * service answers with its champion only, and cannot list the log's entities.
 */
export async function scoreThroughService(
  spec: ModelSpec,
  options: ScoreOptions,
  baseUrl: string,
  progress: ScoreProgress,
): Promise<ScoreSummary> {
  if (options.entities === undefined)
    throw new Error(
      "scoring every entity of the event log needs the database: pass --database-url (or set DATABASE_URL), or list the entities with --entities (the service's batch endpoint scores a list)",
    );
  if (options.alias !== 'champion')
    throw new Error(
      `--alias ${options.alias} needs --database-url: the service's batch endpoint answers with its champion only`,
    );
  if (options.redisUrl !== undefined || options.keyPrefix !== undefined)
    throw new Error('--redis-url and --key-prefix need --database-url: the service reads its own online store');
  const chunk = options.chunk ?? REMOTE_CHUNK;
  if (chunk > SERVICE_BATCH_MAX)
    throw new Error(`--chunk ${chunk} is above the service's batch limit of ${SERVICE_BATCH_MAX} rows`);
  const { ids, duplicates } = await readEntitiesFile(options.entities);
  const classes = spec.classes;
  const url = `${baseUrl.replace(/\/+$/, '')}/v1/predict/${encodeURIComponent(spec.name)}/batch`;
  const at = new Date(options.at).toISOString();
  const context = contextOf(options);
  const body = (slice: readonly string[]) =>
    JSON.stringify({
      rows: slice.map((entityId) => ({ entityId })),
      at,
      ...(Object.keys(context).length > 0
        ? {
            context: {
              ...(context.channel !== undefined ? { channel: context.channel } : {}),
              ...(context.contentId !== undefined ? { content_id: context.contentId } : {}),
            },
          }
        : {}),
    });

  const writer = new ScoreCsvWriter(options.out, spec.name, options.at, classes);
  const started = performance.now();
  let version = 0;
  let alias = options.alias;
  let fallback = false;
  try {
    for (let k = 0; k < ids.length; k += chunk) {
      const slice = ids.slice(k, k + chunk);
      const predictions = await post(url, baseUrl, body(slice), spec.name);
      if (predictions.length !== slice.length)
        throw new Error(`the service answered ${predictions.length} predictions for ${slice.length} rows`);
      const rows: ScoreCsvRow[] = predictions.map((p, i) => {
        if (p.entityId !== slice[i])
          throw new Error(`the service answered row ${k + i} for "${p.entityId}", asked for "${slice[i]}"`);
        if (p.fallback && !options.fallback)
          throw new Error(
            `inference-service has no champion of ${spec.name} serving: its rule-based fallback answered; pass --fallback to accept its answers`,
          );
        return {
          entityId: p.entityId,
          version: p.modelVersion,
          alias: p.alias,
          score: p.score,
          label: p.label,
          riskTier: p.riskTier,
          riskConfidence: p.riskConfidence,
          probabilities: classes.map((c) => p.classProbabilities[c]),
        };
      });
      const first = predictions[0];
      [version, alias, fallback] = [first.modelVersion, first.alias, first.fallback];
      await writer.writeRows(rows);
      progress.update({ entities: writer.rows, total: ids.length, elapsedMs: performance.now() - started });
    }
    progress.stop();
    await writer.finish();
  } catch (err) {
    progress.stop();
    await writer.discard();
    throw err;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    model: spec.name,
    version,
    alias,
    as_of: at,
    rows: writer.rows,
    duplicates_skipped: duplicates,
    features: null,
    fallback,
    out: options.out,
    seconds,
    rows_per_second: writer.rows / Math.max(seconds, 1e-9),
    via: 'service',
  };
}

async function post(url: string, baseUrl: string, body: string, model: string): Promise<ServicePrediction[]> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  } catch (err) {
    throw new Error(
      `cannot reach inference-service at ${baseUrl} (${(err as Error).cause ?? (err as Error).message}); start the platform (npm start), or score from the database with --database-url`,
    );
  }
  const text = await res.text();
  if (res.status === 404) throw new Error(`inference-service at ${baseUrl} does not serve ${model}: ${text}`);
  if (!res.ok) throw new Error(`POST ${url}: HTTP ${res.status} ${text}`);
  const parsed = JSON.parse(text) as { predictions?: ServicePrediction[] };
  if (!Array.isArray(parsed.predictions)) throw new Error(`POST ${url}: the answer has no predictions array`);
  return parsed.predictions;
}
