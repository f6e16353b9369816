import type { EngagementEvent } from '@pulse/contracts';
import { createSimulation, type CompletionOracleRecord } from '@pulse/simulator';

export interface SimulatedLog {
  /** Grouped by entity, as the event log streams them. */
  readonly events: EngagementEvent[];
  readonly watermarkMs: number;
  readonly oracle: Map<string, number>;
}

/** A simulated event log for tests: fixed seed and start, grouped by entity, with the oracle's probabilities. */
export function simulatedLog(learners: number, days: number, seed = 11): SimulatedLog {
  const oracle = new Map<string, number>();
  const sim = createSimulation({
    seed,
    learners,
    days,
    startTimeMs: Date.UTC(2026, 0, 5),
    onOracle: (r: CompletionOracleRecord) => oracle.set(r.eventId, r.probability),
  });
  const events = [...sim];
  const watermarkMs = events.reduce((m, e) => Math.max(m, e.eventTimeMs), -Infinity);
  events.sort((a, b) => (a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : 0));
  return { events, watermarkMs, oracle };
}
