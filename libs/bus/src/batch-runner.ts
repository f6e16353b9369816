import { isRetriable } from '@pulse/core';
import type { BatchContext, BatchEffect, BatchHandler, BusMessage, RetryPolicy } from './bus.types';
import type { BusLogger } from './bus-logger';

export type BatchOutcome =
  /** The handler resolved; `effects` are what it left to finish (BatchContext.completeLater). */
  | { kind: 'done'; effects: readonly BatchEffect[] }
  /** Killed, or stopped while waiting to retry: nothing to commit, the batch will be redelivered. */
  | { kind: 'aborted' }
  | { kind: 'failed'; error: unknown };

export type EffectsOutcome = { kind: 'done' } | { kind: 'aborted' } | { kind: 'failed'; error: unknown };

/** What a subscription hands runBatch: the batch's context but for completeLater, which runBatch provides. */
export type DeliveryContext = Omit<BatchContext, 'completeLater'>;

export const defaultRetryPolicy: Required<RetryPolicy> = {
  initialDelayMs: 100,
  maxDelayMs: 5000,
  maxAttempts: Infinity,
};

export const defaultMaxBatchSize = 1000;

export function resolveRetryPolicy(policy: RetryPolicy = {}): Required<RetryPolicy> {
  const resolved = { ...defaultRetryPolicy, ...policy };
  if (!(resolved.initialDelayMs >= 0) || !(resolved.maxDelayMs >= resolved.initialDelayMs)) {
    throw new RangeError(
      `retry delays must satisfy 0 <= initialDelayMs <= maxDelayMs, got ${resolved.initialDelayMs} and ${resolved.maxDelayMs}`,
    );
  }
  if (!(resolved.maxAttempts >= 1))
    throw new RangeError(`retry.maxAttempts must be at least 1, got ${resolved.maxAttempts}`);
  return resolved;
}

export const defaultMaxPendingBatches = 2;

export function resolveMaxPendingBatches(count: number | undefined): number {
  const value = count ?? defaultMaxPendingBatches;
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`maxPendingBatches must be a positive integer, got ${value}`);
  return value;
}

export function resolveMaxBatchSize(size: number | undefined): number {
  const value = size ?? defaultMaxBatchSize;
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`maxBatchSize must be a positive integer, got ${value}`);
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
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      interrupt.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    interrupt.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs the work; a kill (signal) wins the race so a crash does not wait for it. */
function raceKill(work: Promise<unknown>, signal: AbortSignal): Promise<'done' | 'killed'> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.resolve('killed');
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      resolve('killed');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve('done');
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
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
 * The one place both buses decide what an outcome means: success commits, a retriable error runs the
 * same work again with backoff, anything else fails the subscription.
 */
async function withRetry(
  work: (attempt: number) => Promise<unknown>,
  ctx: DeliveryContext,
  options: RunBatchOptions,
  what: string,
): Promise<EffectsOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await raceKill(Promise.resolve(attempt).then(work), ctx.signal);
      return result === 'done' ? { kind: 'done' } : { kind: 'aborted' };
    } catch (error) {
      if (ctx.signal.aborted) return { kind: 'aborted' };
      if (!isRetriable(error) || attempt >= options.retry.maxAttempts) return { kind: 'failed', error };
      const delayMs = backoffDelay(attempt, options.retry);
      options.logger.log('warn', `retriable ${what} error, retrying`, {
        topic: ctx.topic,
        partition: ctx.partition,
        attempt,
        delayMs,
        error: error instanceof Error ? error.message : String(error),
      });
      if (!(await interruptibleSleep(delayMs, options.interrupt))) return { kind: 'aborted' };
    }
  }
}

/** Runs the handler on a batch, retrying as the policy says; a done outcome carries the effects it left. */
export async function runBatch(
  handler: BatchHandler,
  batch: BusMessage[],
  ctx: DeliveryContext,
  options: RunBatchOptions,
): Promise<BatchOutcome> {
  let effects: BatchEffect[] = [];
  const outcome = await withRetry(
    () => {
      // Each attempt collects its own effects: a failed attempt's are dropped with it.
      const mine: BatchEffect[] = (effects = []);
      const attemptCtx: BatchContext = {
        ...ctx,
        completeLater: (effect) => {
          if (typeof effect !== 'function')
            throw new TypeError(`completeLater(effect): effect must be a function, got ${typeof effect}`);
          mine.push(effect);
        },
      };
      return handler(batch, attemptCtx);
    },
    ctx,
    options,
    'handler',
  );
  return outcome.kind === 'done' ? { kind: 'done', effects } : outcome;
}

/** Runs a batch's effects at once, each retried on its own; done when all are, failed when one is. */
export async function runEffects(
  effects: readonly BatchEffect[],
  ctx: DeliveryContext,
  options: RunBatchOptions,
): Promise<EffectsOutcome> {
  if (effects.length === 0) return { kind: 'done' };
  const outcomes = await Promise.all(effects.map((effect) => withRetry(() => effect(), ctx, options, 'effect')));
  return outcomes.find((o) => o.kind === 'failed') ?? outcomes.find((o) => o.kind === 'aborted') ?? { kind: 'done' };
}
