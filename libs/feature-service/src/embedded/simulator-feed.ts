import type { Publisher } from '@pulse/bus';
import { createSimulation, publishStream, PublisherSink } from '@pulse/simulator';
import type { SimulatorSettings } from '../config/feature-service.config';

export interface SimulatorFeed {
  /** Stops publishing and resolves once the last publish is done. */
  stop(): Promise<void>;
}

export interface SimulatorFeedHooks {
  /**
   * The backfill (the simulated days up to now) is published: called once, when a live feed reaches the
   * present or a finite one ends, with the last event time and how many distinct valid events that was
   * (duplicates and deliberately invalid events left out).
   */
  readonly onBackfilled?: (backfill: { readonly eventTimeMs: number; readonly events: number }) => void;
}

/**
 * Embedded mode's producer: simulated learners publish to the engagement topic at a wall-clock rate,
 * so a newcomer sees events counted and features served without any producer of their own.
 */
export function startSimulatorFeed(
  publisher: Publisher,
  topic: string,
  sim: SimulatorSettings,
  log: { log(message: string): void; error(message: string): void },
  hooks: SimulatorFeedHooks = {},
): SimulatorFeed {
  const abort = new AbortController();
  const simulation = createSimulation({
    seed: sim.seed,
    learners: sim.learners,
    days: sim.days,
    live: sim.live,
    duplicateFraction: 0.01,
    lateFraction: 0.02,
    invalidFraction: 0.002,
  });
  log.log(
    `simulating ${sim.learners} learners: ${sim.days} days up to now at ${sim.ratePerSecond || 'max'} events/s${sim.live ? ', then live (events as their time comes)' : ''}, into ${topic}`,
  );
  let lastLog = 0;
  let backfilled = false;
  const backfill = (p: { readonly published: number; readonly eventTimeMs: number }) => {
    if (backfilled) return;
    backfilled = true;
    const { duplicates, invalid } = simulation.stats;
    hooks.onBackfilled?.({ eventTimeMs: p.eventTimeMs, events: Math.max(0, p.published - duplicates - invalid) });
  };
  const running = publishStream(simulation, new PublisherSink(publisher, topic), {
    ratePerSecond: sim.ratePerSecond,
    followWallClock: sim.live,
    dueTimeMs: (event) => simulation.dueTimeMs(event),
    onCaughtUp: (p) => {
      log.log(`simulation reached the present after ${p.published} events; live from now on`);
      backfill(p);
    },
    signal: abort.signal,
    onProgress: (p) => {
      if (p.elapsedMs - lastLog < 5000) return;
      lastLog = p.elapsedMs;
      log.log(`published ${p.published} events (event time ${new Date(p.eventTimeMs).toISOString()})`);
    },
  }).then(
    (p) => {
      log.log(`simulation ${abort.signal.aborted ? 'stopped' : 'finished'}: ${p.published} events published`);
      if (!abort.signal.aborted) backfill(p);
    },
    (err: unknown) => log.error(`simulation stopped: ${(err as Error).message}`),
  );
  return {
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}
