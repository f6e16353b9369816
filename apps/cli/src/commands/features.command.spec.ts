import { Command } from 'commander';
import Redis from 'ioredis';
import { ConfigError } from '@pulse/core';
import {
  createFeatureRegistry,
  foldBatchIntoStore,
  learnerBehaviourView,
  learnerTemporalView,
  learningEngagementRegistry,
  replayEvents,
  stateIsCurrent,
} from '@pulse/features';
import { RedisOnlineStore } from '@pulse/redis-store';
import { createSimulation } from '@pulse/simulator';
import { initStorage } from '@pulse/storage';
import { createTestDatabase, randomRedisPrefix, testRedisUrl, type TestDatabase } from '@pulse/testing';
import { registerFeaturesCommand, runRebuildStates } from './features.command';

// Against the machine's Postgres and Redis: states written by a service on older views (two of the five
// default views) are rebuilt under the default views from the log the service wrote.
describe('pulse features rebuild-states', () => {
  const redis = new Redis(testRedisUrl());
  const prefix = randomRedisPrefix('cli-rebuild');
  const events = [...createSimulation({ seed: 'cli-rebuild', learners: 12, days: 3 })];
  const learners = [...new Set(events.map((e) => e.entityId))];
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('pulse_cli_rebuild');
    const storage = await initStorage({ url: db.url });
    await storage.eventLog.appendMany(events);
    await storage.close();
    const older = createFeatureRegistry([learnerBehaviourView, learnerTemporalView]);
    await foldBatchIntoStore(new RedisOnlineStore({ redis, keyPrefix: prefix }), events, older, { stateCache: false });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await db.drop();
  });

  it('replaces every stale state by its replay, then finds nothing to do', async () => {
    const env = { DATABASE_URL: db.url, REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix };
    const r = await runRebuildStates({ chunk: 5, progress: false }, env);
    expect(r).toEqual({ entities: learners.length, stale: learners.length, rebuilt: learners.length, skipped: 0 });
    const registry = learningEngagementRegistry();
    const stored = await new RedisOnlineStore({ redis, keyPrefix: prefix }).getStates(learners);
    for (const id of learners) {
      const s = stored.get(id)!;
      expect({ id, current: stateIsCurrent(s.state, registry), version: s.version }).toEqual({
        id,
        current: true,
        version: 2,
      });
      expect(s.state).toEqual(
        replayEvents(
          events.filter((e) => e.entityId === id),
          registry,
        ),
      );
    }
    expect(await runRebuildStates({ chunk: 500, progress: false }, env)).toEqual({
      entities: learners.length,
      stale: 0,
      rebuilt: 0,
      skipped: 0,
    });
  });

  it('names a missing setting', async () => {
    await expect(runRebuildStates({ chunk: 5, progress: false }, { DATABASE_URL: db.url })).rejects.toThrow(
      ConfigError,
    );
    await expect(runRebuildStates({ chunk: 5, progress: false }, { DATABASE_URL: db.url })).rejects.toThrow(
      /REDIS_URL/,
    );
  });

  it('runs from the command line, flags before the environment, and prints what it did', async () => {
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      const program = new Command('pulse').exitOverride();
      registerFeaturesCommand(program);
      await program.parseAsync(
        [
          'features',
          'rebuild-states',
          '--database-url',
          db.url,
          '--redis-url',
          testRedisUrl(),
          '--key-prefix',
          prefix,
          '--no-progress',
        ],
        { from: 'user' },
      );
    } finally {
      log.mockRestore();
    }
    expect(lines).toEqual([
      `entities in the log: ${learners.length}; stale states: 0; rebuilt: 0; left to a service that changed them meanwhile: 0`,
    ]);
  });
});
