import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import Redis from 'ioredis';
import type { EngagementEvent } from '@pulse/contracts';
import { ConfigError, ConnectionError, EnvReader } from '@pulse/core';
import {
  DEFAULT_ALLOWED_LATENESS_MS,
  DEFAULT_SERVICE_STATE_KEY_PREFIX,
  DEFAULT_STATE_TTL_SECONDS,
  learningEngagementRegistry,
  rebuildStaleStates,
  type RebuildStatesResult,
} from '@pulse/features';
import { RedisOnlineStore } from '@pulse/redis-store';
import { initStorage, redactUrl } from '@pulse/storage';
import { positiveInt } from './option-parsers';

export interface RebuildStatesOptions {
  databaseUrl?: string;
  redisUrl?: string;
  keyPrefix?: string;
  chunk: number;
  progress: boolean;
}

export function registerFeaturesCommand(program: Command): void {
  const features = program.command('features').description('maintain the online feature states of feature-service');
  features
    .command('rebuild-states')
    .description(
      "after a change of feature views: replace every online state written under other view definitions by the replay of its entity's events from the log. " +
        "Ingest does it on an entity's next event; this does the quiet ones, whose reads are replays until then. Run it once every copy of feature-service runs the new views. " +
        "Reads the service's settings from the same variables: DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX, STATE_TTL_SECONDS, ALLOWED_LATENESS_MS (the default learning-engagement views).",
    )
    .option('--database-url <url>', 'Postgres holding the event log (default: DATABASE_URL)')
    .option('--redis-url <url>', 'Redis holding the online states (default: REDIS_URL)')
    .option(
      '--key-prefix <prefix>',
      `the service's state key prefix (default: REDIS_KEY_PREFIX, else ${DEFAULT_SERVICE_STATE_KEY_PREFIX})`,
    )
    .option('--chunk <n>', 'entities read and written per round trip', positiveInt(100_000), 500)
    .option('--no-progress', 'no progress bar')
    .action(async (options: RebuildStatesOptions) => {
      const r = await runRebuildStates(options, process.env);
      console.log(
        `entities in the log: ${r.entities}; stale states: ${r.stale}; rebuilt: ${r.rebuilt}; left to a service that changed them meanwhile: ${r.skipped}`,
      );
    });
}

/** The command's work, with its settings from `options` or else the environment (a missing one names its variable). */
export async function runRebuildStates(
  options: RebuildStatesOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<RebuildStatesResult> {
  const read = new EnvReader(env);
  const databaseUrl = options.databaseUrl ?? required(read, 'DATABASE_URL', '--database-url');
  const redisUrl = options.redisUrl ?? required(read, 'REDIS_URL', '--redis-url');
  const keyPrefix = options.keyPrefix ?? read.string('REDIS_KEY_PREFIX', DEFAULT_SERVICE_STATE_KEY_PREFIX);
  const ttlSeconds = read.int('STATE_TTL_SECONDS', DEFAULT_STATE_TTL_SECONDS, 0);
  const registry = learningEngagementRegistry({
    allowedLatenessMs: read.int('ALLOWED_LATENESS_MS', DEFAULT_ALLOWED_LATENESS_MS, 0),
  });

  const storage = await initStorage({ url: databaseUrl });
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  let bar: SingleBar | undefined;
  try {
    await redis.connect().catch((error: unknown) => {
      throw new ConnectionError(`cannot connect to Redis at ${redactUrl(redisUrl)}: ${(error as Error).message}`, {
        cause: error,
      });
    });
    const store = new RedisOnlineStore({ redis, keyPrefix, ttlSeconds });
    if (options.progress) {
      bar = new SingleBar({
        stream: process.stderr,
        format: 'rebuild-states |{bar}| {value}/{total} events | {rebuilt} rebuilt',
        hideCursor: true,
      });
      bar.start(await storage.eventLog.estimatedCount(), 0, { rebuilt: 0 });
    }
    let seen = 0;
    const events = storage.eventLog.streamForEntities();
    const counted = async function* (): AsyncGenerator<EngagementEvent> {
      for await (const e of events) {
        seen++;
        yield e;
      }
    };
    return await rebuildStaleStates({
      events: counted(),
      store,
      registry,
      chunkEntities: options.chunk,
      onProgress: (p) => bar?.update(seen, { rebuilt: p.rebuilt }),
    });
  } finally {
    bar?.stop();
    redis.disconnect();
    await storage.close();
  }
}

function required(read: EnvReader, name: string, flag: string): string {
  const value = read.optionalString(name);
  if (value === undefined) throw new ConfigError(name, `missing ${name}: set it, or pass ${flag}`);
  return value;
}
