import type { EngagementEvent } from '@pulse/contracts';
import type { EntityState } from '@pulse/features';
import { endOffsets, type FaultHarness } from './fault-harness';
import type { ServiceProcess } from './service-process';
import { readOnlineAnswers, readRedisStates } from './service-reads';
import type { FeatureAnswer, Truth } from './truth';

/** What a fault test reads back once the stream is over: the log, the states (HTTP and Redis), the lag. */
export interface Outcome {
  caughtUp: boolean;
  lag: number[];
  endOffsets: number[];
  log: EngagementEvent[];
  answers: Map<string, FeatureAnswer>;
  redisStates: Map<string, EntityState>;
  /** What went wrong on the way (reported by a test of its own, so the data checks still run). */
  errors: string[];
}

/**
 * Waits (polling) until the service's group committed the end of the events topic, its dead letters
 * left the outbox, and the DLQ reader read the DLQ to its end, then reads everything the checks compare. Never throws for what the service
 * got wrong: it is in the outcome.
 */
export async function collectOutcome(
  h: FaultHarness,
  svc: ServiceProcess,
  truth: Truth,
  catchUpTimeoutMs = 150_000,
): Promise<Outcome> {
  const errors: string[] = [];
  const caught = await h.waitCaughtUp(catchUpTimeoutMs);
  const ends = await endOffsets(h.admin, h.topics.events);
  try {
    await h.waitDeadLettersPublished(60_000);
    await h.dlq.waitDrained(h.admin, 60_000);
  } catch (err) {
    errors.push(`DLQ: ${(err as Error).message}`);
  }
  const log = await h.readLog();
  let answers = new Map<string, FeatureAnswer>();
  if (svc.running) {
    try {
      answers = await readOnlineAnswers(svc.url, truth);
    } catch (err) {
      errors.push(`feature reads: ${(err as Error).message}`);
    }
  } else {
    errors.push(`the service is not running at the end:\n${svc.logTail()}`);
  }
  const redisStates = await readRedisStates(h.redisStore(), truth);
  return { caughtUp: caught.caughtUp, lag: caught.lag, endOffsets: ends, log, answers, redisStates, errors };
}
