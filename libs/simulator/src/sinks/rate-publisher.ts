import type { EngagementEvent } from '@pulse/contracts';
import { assertInRange, assertInteger } from '@pulse/core';
import type { EventSink } from './event-sink';

export interface PublishProgress {
  readonly published: number;
  /** Event time of the last event published. */
  readonly eventTimeMs: number;
  readonly elapsedMs: number;
}

export interface Clock {
  /** Monotonic milliseconds, for pacing. */
  now(): number;
  /** Epoch milliseconds, to compare with event times. */
  epochNow(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => performance.now(),
  epochNow: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Longest single sleep while waiting for the wall clock, so an abort is seen within it. */
const WALL_CLOCK_SLICE_MS = 500;

export interface PublishOptions {
  /** Wall-clock events per second; 0 = as fast as the sink takes them. Default 0. */
  readonly ratePerSecond?: number;
  /** Most events per publish call. Default 500 (smaller when a rate is set, so pacing stays smooth). */
  readonly batchSize?: number;
  readonly onProgress?: (progress: PublishProgress) => void;
  /**
   * Holds each event until the wall clock reaches its event time: a backfill runs at `ratePerSecond`
   * up to the present, then the stream goes on in real time (a live simulation). Default false.
   */
  readonly followWallClock?: boolean;
  /** With followWallClock: when an event is due (default its event time; see Simulation.dueTimeMs). */
  readonly dueTimeMs?: (event: EngagementEvent) => number;
  /** With followWallClock: called once, when the stream has reached the present and starts waiting for it. */
  readonly onCaughtUp?: (progress: PublishProgress) => void;
  /** Stops after the batch in hand (or at once while waiting for the wall clock). */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

/**
 * Feeds a stream into a sink in batches at a wall-clock rate. Event time is whatever the stream says:
 * at 5,000 events/s a 30-day simulation of a few hundred learners plays out in minutes.
 */
export async function publishStream(
  source: Iterable<EngagementEvent>,
  sink: EventSink,
  options: PublishOptions = {},
): Promise<PublishProgress> {
  const rate = options.ratePerSecond ?? 0;
  assertInRange(rate, 'ratePerSecond', 0, 1e9);
  const maxBatch = options.batchSize ?? 500;
  assertInteger(maxBatch, 'batchSize', 1, 1_000_000);
  // At least ~20 publishes per second when paced, so the rate is even rather than bursty.
  const batchSize = rate > 0 ? Math.max(1, Math.min(maxBatch, Math.floor(rate / 20))) : maxBatch;
  const clock = options.clock ?? realClock;
  const started = clock.now();
  let published = 0;
  let eventTimeMs = 0;
  let batch: EngagementEvent[] = [];
  let caughtUp = false;

  const flush = async () => {
    if (batch.length === 0) return;
    await sink.publish(batch);
    published += batch.length;
    eventTimeMs = batch[batch.length - 1].eventTimeMs;
    batch = [];
    if (rate > 0) {
      const due = started + (published / rate) * 1000;
      const wait = due - clock.now();
      if (wait > 0) await clock.sleep(wait);
    }
    options.onProgress?.({ published, eventTimeMs, elapsedMs: clock.now() - started });
  };

  for (const event of source) {
    const due = options.followWallClock === true ? (options.dueTimeMs?.(event) ?? event.eventTimeMs) : -Infinity;
    if (due > clock.epochNow()) {
      // What is due goes out now; the rest waits for its time.
      await flush();
      if (!caughtUp) {
        caughtUp = true;
        options.onCaughtUp?.({ published, eventTimeMs, elapsedMs: clock.now() - started });
      }
      while (!options.signal?.aborted && due > clock.epochNow()) {
        await clock.sleep(Math.min(WALL_CLOCK_SLICE_MS, due - clock.epochNow()));
      }
      if (options.signal?.aborted) break;
    }
    batch.push(event);
    if (batch.length >= batchSize) {
      await flush();
      if (options.signal?.aborted) break;
    }
  }
  if (!options.signal?.aborted) await flush();
  return { published, eventTimeMs, elapsedMs: clock.now() - started };
}
