import {
  builtAppMain,
  ensureBuilt,
  freePort,
  kafkaTestBrokers,
  randomName,
  ServiceProcess,
  waitFor,
} from '@pulse/testing';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { InferenceHarness } from './inference-service.harness';

/**
 * Topics of the harness's environment left at their defaults, named for this test file alone: a model
 * experiment another test publishes must not route this file's triggers.
 */
export function isolatedTopicsEnv(): Record<string, string> {
  return { EXPERIMENT_CHANGES_TOPIC: randomName('experiment-changes'), EXPOSURES_TOPIC: randomName('exposures') };
}

/** Every topic of the mock cluster has this many partitions (auto-created). */
export const MOCK_PARTITIONS = 4;

/**
 * The built inference-service (`node dist/apps/inference-service/main.js`, rebuilt first when a source
 * is newer than its output) as a child process on the harness's topics, group, database and Redis
 * prefix: started, killed with SIGKILL, restarted on the same port.
 */
export async function inferenceProcess(
  harness: InferenceHarness,
  env: Readonly<Record<string, string>> = {},
): Promise<ServiceProcess> {
  const main = builtAppMain('inference-service');
  return new ServiceProcess(
    'inference-service',
    await freePort(),
    {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      KAFKA_CLIENT_ID: 'inference-kill-nine',
      ...harness.env(),
      ...isolatedTopicsEnv(),
      ...env,
    },
    () => ensureBuilt(main),
  );
}

/** A Kafka admin on the mock cluster, for the offsets a test compares. */
export async function kafkaAdmin(clientId: string): Promise<Admin> {
  const admin = new Kafka({ clientId, brokers: kafkaTestBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  return admin;
}

/** End (high watermark) offset of each partition of `topic`, by partition number. */
export async function endOffsets(admin: Admin, topic: string): Promise<number[]> {
  const out = new Array<number>(MOCK_PARTITIONS).fill(0);
  for (const p of await admin.fetchTopicOffsets(topic)) out[p.partition] = Number(p.high);
  return out;
}

/** Messages of `topic` the group has not committed yet, per partition. */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number[]> {
  const committed = new Array<number>(MOCK_PARTITIONS).fill(0);
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  for (const p of offsets?.partitions ?? []) committed[p.partition] = Math.max(0, Number(p.offset));
  return (await endOffsets(admin, topic)).map((end, p) => Math.max(0, end - committed[p]));
}

/** Until the group has committed the end of every partition of `topic`; the lag left either way. */
export async function waitGroupCaughtUp(
  admin: Admin,
  groupId: string,
  topic: string,
  timeoutMs: number,
): Promise<{ caughtUp: boolean; lag: number[] }> {
  let lag: number[] = [];
  try {
    await waitFor(
      async () => {
        lag = await groupLag(admin, groupId, topic);
        return lag.every((l) => l === 0);
      },
      { timeoutMs, intervalMs: 200, message: `group ${groupId} at the end of ${topic}` },
    );
    return { caughtUp: true, lag };
  } catch {
    return { caughtUp: false, lag };
  }
}
