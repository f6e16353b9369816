import type { EngagementEvent } from '@pulse/contracts';
import type { LearnerTraits } from '../model/learner';
import { Prng } from '@pulse/core';
import { resolveDrifts } from '../drift/world-drift';
import { resolveTreatment, treatmentWorld } from '../experiment/treatment-options';
import type { InjectionCounts } from './injection';
import { injectFaults } from './injection';
import type { Emit } from './learner-simulator';
import { LearnerSimulator } from './learner-simulator';
import type { LearnerSetup, LearnerWorld } from './learner-world';
import { composeWorlds } from './learner-world';
import { MinHeap } from './min-heap';
import type { CompletionOracleRecord, ResolvedSimulationOptions, SimulationOptions } from './simulation-options';
import { DAY_MS, HOUR_MS, resolveSimulationOptions } from './simulation-options';

export interface SimulationStats extends InjectionCounts {
  /** Events yielded, including duplicates and invalid ones. */
  events: number;
  byType: Record<string, number>;
}

export interface Simulation extends Iterable<EngagementEvent> {
  readonly options: ResolvedSimulationOptions;
  /** Exclusive end of simulated time (Infinity for a live simulation). */
  readonly endTimeMs: number;
  /** Counters, updated as the stream is consumed. */
  readonly stats: SimulationStats;
  /** Latent traits of every learner (for analysis and tests; the platform never sees them). */
  readonly learners: readonly LearnerTraits[];
  /**
   * When an event of this stream happens in simulated time: its event time, except for an injected
   * invalid event, whose (deliberately wrong) event time may lie a century ahead — it happens with
   * the event it was made from. What a publisher following the wall clock waits for.
   */
  dueTimeMs(event: EngagementEvent): number;
}

interface Pending {
  readonly timeMs: number;
  readonly seq: number;
  readonly event: EngagementEvent;
  readonly oracle?: Omit<CompletionOracleRecord, 'windowObserved'>;
}

/**
 * A deterministic learning-engagement stream. Iterate it (once) to get events in event-time order
 * (apart from injected late events and duplicates). Generation is lazy, a simulated day at a time,
 * so memory holds one day of events however long the simulation.
 */
export function createSimulation(options: SimulationOptions = {}): Simulation {
  const resolved = resolveSimulationOptions(options);
  const root = new Prng(resolved.seed);
  const runTag = root.fork('run-tag').nextUint32().toString(36);
  const setup = worldSetup(options, resolved);
  const learners = Array.from(
    { length: resolved.learners },
    (_, i) =>
      new LearnerSimulator(
        root.fork(`learner-${i}`),
        i,
        resolved.joinSpreadDays,
        runTag,
        resolved.preferredChannelShare,
        { ...setup.world, tenureDays: resolved.tenureDays },
      ),
  );
  // Learners a drift brings in come after the others, each from its own stream.
  for (const joining of setup.joining)
    for (let j = 0; j < joining.count; j++)
      learners.push(
        new LearnerSimulator(
          root.fork(`${joining.label}/learner-${j}`),
          learners.length,
          0,
          runTag,
          resolved.preferredChannelShare,
          { drawTraits: joining.drawTraits, world: setup.world.world, tenureDays: resolved.tenureDays },
        ),
      );
  const endTimeMs = resolved.live ? Infinity : resolved.startTimeMs + resolved.days * DAY_MS;
  const stats: SimulationStats = { events: 0, byType: {}, duplicates: 0, late: 0, invalid: 0 };
  let consumed = false;
  const invalidSources = new WeakMap<EngagementEvent, number>();

  function* ordered(): Generator<EngagementEvent> {
    const heap = new MinHeap<Pending>();
    let seq = 0;
    const emit: Emit = (event, oracle) => heap.push({ timeMs: event.eventTimeMs, seq: seq++, event, oracle });
    for (let day = 0; resolved.live || day < resolved.days; day++) {
      const dayStartMs = resolved.startTimeMs + day * DAY_MS;
      for (const learner of learners) learner.simulateDay(day, dayStartMs, emit);
      // Nothing generated from tomorrow on can be earlier than tomorrow, so today is final.
      const flushUntil = Math.min(dayStartMs + DAY_MS, endTimeMs);
      while ((heap.peek()?.timeMs ?? Infinity) < flushUntil) {
        const { event, oracle } = heap.pop() as Pending;
        if (oracle !== undefined)
          options.onOracle?.({ ...oracle, windowObserved: oracle.sentAtMs + 48 * HOUR_MS <= endTimeMs });
        yield event;
      }
    }
  }

  function* counted(): Generator<EngagementEvent> {
    if (consumed)
      throw new Error('a Simulation can be iterated only once; create another with the same options to replay it');
    consumed = true;
    const source = injectFaults(
      ordered(),
      { ...resolved, onInvalid: options.onInvalid, onInvalidSource: (bad, timeMs) => invalidSources.set(bad, timeMs) },
      root.fork('faults'),
      stats,
    );
    for (const event of source) {
      stats.events++;
      stats.byType[event.eventType] = (stats.byType[event.eventType] ?? 0) + 1;
      yield event;
    }
  }

  return {
    options: resolved,
    endTimeMs,
    stats,
    learners: learners.map((l) => l.traits),
    dueTimeMs: (event) => invalidSources.get(event) ?? event.eventTimeMs,
    [Symbol.iterator]: counted,
  };
}

/** The treatment's and the drifts' changes to each learner's world, and the learners the drifts add. */
function worldSetup(
  options: SimulationOptions,
  resolved: ResolvedSimulationOptions,
): {
  world: LearnerSetup;
  joining: { count: number; label: string; drawTraits: LearnerSetup['drawTraits'] }[];
} {
  const treatment =
    options.treatment === undefined ? undefined : resolveTreatment(options.treatment, resolved.startTimeMs);
  const drifts = resolveDrifts(options.drift, resolved);
  if (treatment === undefined && drifts.length === 0) return { world: {}, joining: [] };
  const world = (traits: LearnerTraits): LearnerWorld => {
    const worlds: LearnerWorld[] = [];
    if (treatment !== undefined) worlds.push(treatmentWorld(treatment, traits));
    for (const d of drifts) if (d.world !== undefined) worlds.push(d.world(traits));
    return composeWorlds(worlds);
  };
  return { world: { world }, joining: drifts.flatMap((d) => (d.newLearners === undefined ? [] : [d.newLearners])) };
}
