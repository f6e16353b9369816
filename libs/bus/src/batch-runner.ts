import { isRetriable } from '@pulse/core';
import type { BatchContext, BatchHandler, BusMessage, RetryPolicy } from './bus.types';
import type { BusLogger } from './bus-logger';

export type BatchOutcome =
  | { kind: 'done' }
  /** Killed, or stopped while waiting to retry: nothing to commit, the batch will be redelivered. */
  | { kind: 'aborted' }
  | { kind: 'failed'; error: unknown };

export const defaultRetryPolicy: Required<RetryPolicy> = { initialDelayMs: 100, maxDelayMs: 5000, maxAttempts: Infinity };

export const defaultMaxBatchSize = 1000;

export function resolveRetryPolicy(policy: RetryPolicy = {}): Required<RetryPolicy> {
  const resolved = { ...defaultRetryPolicy, ...policy };
  if (!(resolved.initialDelayMs >= 0) || !(resolved.maxDelayMs >= resolved.initialDelayMs)) {
    throw new RangeError(`retry delays must satisfy 0 <= initialDelayMs <= maxDelayMs, got ${resolved.initialDelayMs} and ${resolved.maxDelayMs}`);
  }
  if (!(resolved.maxAttempts >= 1)) throw new RangeError(`retry.maxAttempts must be at least 1, got ${resolved.maxAttempts}`);
  return resolved;
}

export function resolveMaxBatchSize(size: number | undefined): number {
  const value = size ?? defaultMaxBatchSize;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`maxBatchSize must be a positive integer, got ${value}`);
  return value;
}

/** Exponential backoff: initial, 2×initial, 4×initial… capped at maxDelayMs. */
export function backoffDelay(attempt: number, policy: Required<RetryPolicy>): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
}

/** Resolves after `ms`, or early (false) when `interrupt` aborts. */
export function interruptibleSleep(ms: number, interrupt: AbortSignal): Promise<boolean> {
  if (interrupt.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => { clearTimeout(timer); resolve(false); };
    const timer = setTimeout(() => { interrupt.removeEventListener('abort', onAbort); resolve(true); }, ms);
    interrupt.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs the handler; a kill (ctx.signal) wins the race so a crash does not wait for the handler. */
function raceKill(work: Promise<void>, signal: AbortSignal): Promise<'done' | 'killed'> {
  if (signal.aborted) { work.catch(() => undefined); return Promise.resolve('killed'); }
  return new Promise((resolve, reject) => {
    const onAbort = () => { work.catch(() => undefined); resolve('killed'); };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => { signal.removeEventListener('abort', onAbort); resolve('done'); },
      (err) => { signal.removeEventListener('abort', onAbort); reject(err); },
    );
  });
}

export interface RunBatchOptions {
  retry: Required<RetryPolicy>;
  /** Aborted on stop, kill or failure: cuts retry backoff short. */
  interrupt: AbortSignal;
  logger: BusLogger;
}

/**
 * The one place both buses decide what a handler's outcome means: success commits, a retriable error
 * retries the same batch with backoff, anything else fails the subscription.
 */
export async function runBatch(handler: BatchHandler, batch: BusMessage[], ctx: BatchContext, options: RunBatchOptions): Promise<BatchOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await raceKill(Promise.resolve().then(() => handler(batch, ctx)), ctx.signal);
      return result === 'done' ? { kind: 'done' } : { kind: 'aborted' };
    } catch (error) {
      if (ctx.signal.aborted) return { kind: 'aborted' };
      if (!isRetriable(error) || attempt >= options.retry.maxAttempts) return { kind: 'failed', error };
      const delayMs = backoffDelay(attempt, options.retry);
      options.logger.log('warn', 'retriable handler error, retrying the batch', {
        topic: ctx.topic, partition: ctx.partition, attempt, delayMs, error: error instanceof Error ? error.message : String(error),
      });
      if (!(await interruptibleSleep(delayMs, options.interrupt))) return { kind: 'aborted' };
    }
  }
}
