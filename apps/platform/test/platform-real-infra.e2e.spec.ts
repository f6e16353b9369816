/**
 * @jest-environment ./libs/testing/jest/native-realm.environment.js
 */
import { startPlatform, type RunningPlatform } from '@pulse/platform';
import { createTestDatabase, randomName, randomRedisPrefix, waitFor, type TestDatabase } from '@pulse/testing';
import { dropRedisKeys, realInfraEnv } from './real-infra';

// With KAFKA_BROKERS, DATABASE_URL and REDIS_URL set, the platform hosts the same services on them
// (here the Kafka mock cluster, a throwaway database and a random Redis key prefix); no simulator.
describe('platform (real infrastructure)', () => {
  let db: TestDatabase;
  let platform: RunningPlatform | undefined;
  const redisPrefix = randomRedisPrefix('platform-e2e');

  beforeAll(async () => {
    db = await createTestDatabase('pulse_platform_e2e');
  });
  afterAll(async () => {
    await platform?.close();
    await dropRedisKeys(redisPrefix);
    await db?.drop();
  });

  it('connects to them, consumes what is published and serves it', async () => {
    platform = await startPlatform({
      env: {
        FEATURE_SERVICE_PORT: '0',
        TRAINING_SERVICE_PORT: '0',
        INFERENCE_SERVICE_PORT: '0',
        ...realInfraEnv(db.url, redisPrefix),
      },
      host: '127.0.0.1',
      logger: false,
    });
    expect(platform.embedded).toEqual({ bus: false, database: false, onlineStore: false });
    expect(platform.simulating).toBe(false);
    const fs = platform.services[0];
    const health = (await (await fetch(`${fs.url}/health`)).json()) as { details: Record<string, unknown> };
    expect(Object.keys(health.details).sort()).toEqual(['ingest', 'kafka', 'postgres', 'redis']);

    const learner = randomName('learner');
    const posted = await fetch(`${fs.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          event_id: randomName('e'),
          entity_id: learner,
          event_type: 'lesson_completed',
          event_time: new Date(Date.now() - 60_000).toISOString(),
          channel: 'web',
          content_id: 'lesson-1',
        },
      ]),
    });
    expect(posted.status).toBe(202);
    const read = await waitFor(
      async () => {
        const body = (await (await fetch(`${fs.url}/v1/features/${learner}`)).json()) as {
          path: string;
          watermark: string | null;
        };
        return body.path === 'online' && body.watermark !== null ? body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, message: 'the posted event served online' },
    );
    expect(read.path).toBe('online');
  });
});
