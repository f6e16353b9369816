import Redis from 'ioredis';
import { ConnectionError, EnvReader } from '@pulse/core';
import {
  DEFAULT_ALLOWED_LATENESS_MS,
  DEFAULT_SERVICE_STATE_KEY_PREFIX,
  FeatureReader,
  InMemoryOnlineStore,
  learningEngagementRegistry,
  type OnlineStore,
} from '@pulse/features';
import {
  fallbackFor,
  loadServableModel,
  ModelRefusedError,
  priorFallback,
  scoreEntities,
  type ServableModel,
} from '@pulse/inference';
import { compileModelSpec, type ModelSpec } from '@pulse/models';
import { RedisOnlineStore } from '@pulse/redis-store';
import { initStorage, ModelNotFoundError, ModelRegistryRepository, redactUrl } from '@pulse/storage';
import type { ScoreOptions } from '../score.command';
import { logEntities, readEntitiesFile } from './entity-list';
import { ScoreCsvWriter } from './score-csv.writer';
import type { ScoreProgress } from './score-progress';
import type { ScoreSummary } from './score-summary';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Scores here, from the database: the alias's version out of the registry (verified before it
 * scores), features through a FeatureReader — the online state in Redis when given and it can answer
 * the time, the event log's replay otherwise — and the batch scorer, a chunk at a time into the CSV.
 */
export async function scoreFromDatabase(
  spec: ModelSpec,
  options: ScoreOptions,
  databaseUrl: string,
  env: Env,
  progress: ScoreProgress,
): Promise<ScoreSummary> {
  const read = new EnvReader(env);
  const registry = learningEngagementRegistry({
    allowedLatenessMs: read.int('ALLOWED_LATENESS_MS', DEFAULT_ALLOWED_LATENESS_MS, 0),
  });
  const compiled = compileModelSpec(spec, registry);
  const redisUrl = options.redisUrl ?? read.optionalString('REDIS_URL');
  const keyPrefix = options.keyPrefix ?? read.string('REDIS_KEY_PREFIX', DEFAULT_SERVICE_STATE_KEY_PREFIX);
  const entitiesFile = options.entities ? await readEntitiesFile(options.entities) : undefined;

  const storage = await initStorage({ url: databaseUrl });
  let redis: Redis | undefined;
  let store: OnlineStore | undefined;
  let servable: ServableModel | undefined;
  let writer: ScoreCsvWriter | undefined;
  try {
    servable = await loadVersion(new ModelRegistryRepository(storage.dataSource), compiled.featureNames, spec, options);
    if (redisUrl !== undefined) {
      redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
      await redis.connect().catch((error: unknown) => {
        throw new ConnectionError(`cannot connect to Redis at ${redactUrl(redisUrl)}: ${(error as Error).message}`, {
          cause: error,
        });
      });
      store = new RedisOnlineStore({ redis, keyPrefix });
    } else store = new InMemoryOnlineStore();
    const features = new FeatureReader({ store, events: storage.eventLog, registry });

    const classes = servable?.classes ?? (fallbackFor(spec.name) ?? priorFallback(spec)).classes;
    writer = new ScoreCsvWriter(options.out, spec.name, options.at, classes);

    let ids: string[];
    if (entitiesFile) ids = entitiesFile.ids;
    else {
      progress.phase(
        `listing the event log's entities with an event at or before ${new Date(options.at).toISOString()}`,
      );
      ids = await logEntities(storage.dataSource, options.at);
      if (ids.length === 0)
        throw new Error(
          `the event log at ${redactUrl(databaseUrl)} has no entity with an event at or before ${new Date(options.at).toISOString()}`,
        );
    }

    const started = performance.now();
    let last = { entities: 0, online: 0, offline: 0 };
    let fallback = false;
    for await (const chunk of scoreEntities({
      compiled,
      servable: servable ?? null,
      alias: options.alias,
      features,
      entities: ids,
      atMs: options.at,
      context: contextOf(options),
      chunkSize: options.chunk,
      fallbackReason: `no version under ${options.alias}`,
    })) {
      await writer.writeChunk(chunk);
      fallback = chunk.fallback;
      last = chunk.progress;
      progress.update(chunk.progress);
    }
    progress.stop();
    await writer.finish();
    const seconds = (performance.now() - started) / 1000;
    return {
      model: spec.name,
      version: servable?.version ?? 0,
      alias: servable ? options.alias : 'fallback',
      as_of: new Date(options.at).toISOString(),
      rows: writer.rows,
      duplicates_skipped: entitiesFile?.duplicates ?? 0,
      features: { online: last.online, offline: last.offline },
      fallback,
      out: options.out,
      seconds,
      rows_per_second: writer.rows / Math.max(seconds, 1e-9),
      via: 'database',
    };
  } catch (err) {
    progress.stop();
    await writer?.discard();
    throw err;
  } finally {
    await servable?.close();
    await store?.close();
    redis?.disconnect();
    await storage.close();
  }
}

/** The trigger fields given on the command line, for every row. */
export function contextOf(options: Pick<ScoreOptions, 'channel' | 'contentId'>): {
  channel?: string;
  contentId?: string;
} {
  return {
    ...(options.channel !== undefined ? { channel: options.channel } : {}),
    ...(options.contentId !== undefined ? { contentId: options.contentId } : {}),
  };
}

/**
 * The alias's version, verified as the service verifies it (digests, onnxruntime load, signature,
 * test sample); undefined when it holds none and --fallback was given. Errors name the model, the
 * alias and what the registry has.
 */
async function loadVersion(
  registry: ModelRegistryRepository,
  featureNames: readonly string[],
  spec: ModelSpec,
  options: ScoreOptions,
): Promise<ServableModel | undefined> {
  const model = spec.name;
  const version = await registry.resolveAlias(model, options.alias);
  if (version === null) {
    if (options.fallback) return undefined;
    let aliases: Record<string, number>;
    try {
      aliases = await registry.getAliases(model);
    } catch (err) {
      if (err instanceof ModelNotFoundError)
        throw new Error(
          `no version of ${model} is registered in this database: train one first (pulse train ${model} --database-url …), or pass --fallback to score with its rule-based fallback`,
        );
      throw err;
    }
    const held = Object.entries(aliases).map(([a, v]) => `${a} → version ${v}`);
    throw new Error(
      `${model} has no alias "${options.alias}" (${held.length === 0 ? 'it has no alias' : `aliases: ${held.join(', ')}`}); pass --alias, or --fallback to score with its rule-based fallback`,
    );
  }
  const record = await registry.getVersion(model, version, { withArtifacts: true });
  try {
    return await loadServableModel(
      {
        model,
        version,
        task: record.task,
        signature: record.signature,
        testSample: record.testSample,
        onnx: record.artifacts!.onnx,
        onnxSha256: record.onnxSha256,
        modelJson: record.artifacts!.modelJson,
        modelJsonSha256: record.modelJsonSha256,
      },
      { featureNames },
    );
  } catch (err) {
    if (err instanceof ModelRefusedError)
      throw new Error(`${options.alias} of ${model} (version ${version}) cannot score: ${err.message}`, { cause: err });
    throw err;
  }
}
