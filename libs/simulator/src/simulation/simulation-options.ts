import { assertInRange, assertInteger, assertNonEmptyString } from '@pulse/core';
import type { DriftOptions } from '../drift/drift-options';
import type { TreatmentOptions } from '../experiment/treatment-options';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** The true 48-hour completion probability of one lesson_sent, known only to the simulator. */
export interface CompletionOracleRecord {
  readonly eventId: string;
  readonly entityId: string;
  readonly contentId: string;
  readonly channel: string;
  readonly sentAtMs: number;
  readonly probability: number;
  /** What actually happened (drawn from `probability`). */
  readonly completedWithin48h: boolean;
  /** False when the 48 h window runs past the end of the simulation (the outcome may be cut off). */
  readonly windowObserved: boolean;
  /** Latent state at send time, for analysis only. */
  readonly motivation: number;
  readonly dropped: boolean;
}

export type InvalidEventKind =
  | 'unknown_event_type'
  | 'missing_attribute'
  | 'wrong_type_attribute'
  | 'out_of_range_attribute'
  | 'unknown_attribute'
  | 'missing_entity_id'
  | 'future_event_time';

export interface SimulationOptions {
  /** Default 1. The same seed (and options) gives the same stream, byte for byte. */
  readonly seed?: number | string;
  /** Default 100. */
  readonly learners?: number;
  /** Simulated days. Default 30. With `live`, the days before the present (the backfill). */
  readonly days?: number;
  /**
   * Go on past `days`, day after day without end: the stream never finishes (endTimeMs is Infinity),
   * and a publisher that follows the wall clock (publishStream's `followWallClock`) turns it into a
   * live feed once it reaches the present. Default false.
   */
  readonly live?: boolean;
  /** Start of simulated time, floored to a UTC midnight. Default: `days` days before the current UTC midnight, so the stream ends now. */
  readonly startTimeMs?: number;
  /** Learners join spread over this many days from the start. Default min(14, days * 0.3). */
  readonly joinSpreadDays?: number;
  /**
   * Mean days a learner stays (exponentially distributed, at least one), after which they leave: no
   * more events of theirs and no more sends to them. With learners joining throughout
   * (`joinSpreadDays` = `days`) the population reaches a steady state, so lifetime counts stop growing
   * with the simulation's age. Default: learners stay to the end.
   */
  readonly tenureDays?: number;
  /** Probability the platform sends a lesson on the learner's preferred channel. Default 0.5. */
  readonly preferredChannelShare?: number;
  /** Fraction of events sent a second time (same event_id), within `maxLatenessMs`. Default 0. */
  readonly duplicateFraction?: number;
  /** Fraction of events held back and delivered up to `maxLatenessMs` late (out of order). Default 0. */
  readonly lateFraction?: number;
  /** Default 1 hour. */
  readonly maxLatenessMs?: number;
  /** Fraction of extra, deliberately invalid events inserted (for DLQ tests). Default 0. */
  readonly invalidFraction?: number;
  /** Called for each lesson_sent as it is emitted, with its true completion probability. */
  readonly onOracle?: (record: CompletionOracleRecord) => void;
  /** Called for each injected invalid event with the kind of defect. */
  readonly onInvalid?: (kind: InvalidEventKind, eventId: string) => void;
  /**
   * An experiment's known effect on lesson completion for the learners in its treated variant(s),
   * from their exposure on (see ../experiment). Control learners live exactly the lives they live
   * without it. Default none.
   */
  readonly treatment?: TreatmentOptions;
  /** The world changes from a simulated day on (see ../drift); several apply in order. Default none. */
  readonly drift?: DriftOptions | readonly DriftOptions[];
}

export interface ResolvedSimulationOptions {
  readonly seed: string;
  readonly learners: number;
  readonly days: number;
  readonly live: boolean;
  readonly startTimeMs: number;
  readonly joinSpreadDays: number;
  /** Infinity: learners stay to the end. */
  readonly tenureDays: number;
  readonly preferredChannelShare: number;
  readonly duplicateFraction: number;
  readonly lateFraction: number;
  readonly maxLatenessMs: number;
  readonly invalidFraction: number;
}

export function resolveSimulationOptions(options: SimulationOptions, nowMs = Date.now()): ResolvedSimulationOptions {
  const seed = String(options.seed ?? 1);
  assertNonEmptyString(seed, 'seed');
  const learners = options.learners ?? 100;
  assertInteger(learners, 'learners', 1, 1_000_000);
  const days = options.days ?? 30;
  assertInteger(days, 'days', 1, 3650);
  const live = options.live ?? false;
  if (typeof live !== 'boolean') throw new TypeError(`live must be a boolean, got ${typeof live}`);
  const startRaw = options.startTimeMs ?? Math.floor(nowMs / DAY_MS) * DAY_MS - days * DAY_MS;
  assertInteger(startRaw, 'startTimeMs', 0, 253402300799999 - days * DAY_MS);
  const joinSpreadDays = options.joinSpreadDays ?? Math.min(14, Math.floor(days * 0.3));
  assertInteger(joinSpreadDays, 'joinSpreadDays', 0, days);
  const tenureDays = options.tenureDays ?? Infinity;
  if (options.tenureDays !== undefined) assertInRange(tenureDays, 'tenureDays', 1, 3650);
  const fraction = (value: number | undefined, name: string) => {
    const v = value ?? 0;
    assertInRange(v, name, 0, 1);
    return v;
  };
  const maxLatenessMs = options.maxLatenessMs ?? HOUR_MS;
  assertInRange(maxLatenessMs, 'maxLatenessMs', 0, 30 * DAY_MS);
  return {
    seed,
    learners,
    days,
    live,
    startTimeMs: Math.floor(startRaw / DAY_MS) * DAY_MS,
    joinSpreadDays,
    tenureDays,
    preferredChannelShare:
      options.preferredChannelShare === undefined
        ? 0.5
        : fraction(options.preferredChannelShare, 'preferredChannelShare'),
    duplicateFraction: fraction(options.duplicateFraction, 'duplicateFraction'),
    lateFraction: fraction(options.lateFraction, 'lateFraction'),
    maxLatenessMs,
    invalidFraction: fraction(options.invalidFraction, 'invalidFraction'),
  };
}
