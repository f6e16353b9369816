import type { EngagementEvent } from '@pulse/contracts';
import { assertInteger, assertNonEmptyString } from '@pulse/core';
import { createSimulation } from '../simulation/simulation';
import type { SimulationOptions } from '../simulation/simulation-options';
import { HOUR_MS } from '../simulation/simulation-options';
import { resolveTreatment } from './treatment-options';

/** A per-unit metric over a window from the unit's exposure (as experiment results compute it). */
export interface ExposureMetric {
  readonly eventType: string;
  readonly windowMs: number;
  /** conversion: 1 when the unit has the event in the window, else 0; count: how many. */
  readonly kind: 'conversion' | 'count';
}

/** Completed a lesson within 48 h of the exposure. */
export const LESSON_COMPLETION_METRIC: ExposureMetric = {
  eventType: 'lesson_completed',
  windowMs: 48 * HOUR_MS,
  kind: 'conversion',
};

export interface UnitMetricValue {
  /** Over [exposure, exposure + window). */
  readonly value: number;
  /** The same metric over [exposure − window, exposure): the pre-exposure covariate CUPED uses. */
  readonly pre: number;
}

/**
 * Each unit's metric value and pre-exposure covariate from a stream of events, for the units in
 * `exposureMs` (unit → exposure time). Events of other units or types are ignored; the same
 * event id counted once per unit (duplicates do not count twice).
 */
export function exposureMetricValues(
  events: Iterable<EngagementEvent>,
  exposureMs: ReadonlyMap<string, number>,
  metric: ExposureMetric = LESSON_COMPLETION_METRIC,
): Map<string, UnitMetricValue> {
  assertExposureMetric(metric, 'metric');
  const counts = new Map<string, { value: number; pre: number; seen: Set<string> }>();
  for (const unit of exposureMs.keys()) counts.set(unit, { value: 0, pre: 0, seen: new Set() });
  for (const e of events) {
    if (e.eventType !== metric.eventType) continue;
    const c = counts.get(e.entityId);
    if (c === undefined || c.seen.has(e.eventId)) continue;
    const at = exposureMs.get(e.entityId)!;
    if (e.eventTimeMs >= at && e.eventTimeMs < at + metric.windowMs) c.value++;
    else if (e.eventTimeMs >= at - metric.windowMs && e.eventTimeMs < at) c.pre++;
    else continue;
    c.seen.add(e.eventId);
  }
  const value = (n: number) => (metric.kind === 'conversion' ? (n > 0 ? 1 : 0) : n);
  return new Map([...counts].map(([unit, c]) => [unit, { value: value(c.value), pre: value(c.pre) }]));
}

/** One learner's metric under control and under treatment: the same seed, two worlds. */
export interface PotentialOutcome {
  readonly entityId: string;
  /** The variant the simulation's treatment assigns (undefined: none, i.e. control). */
  readonly variant: string | undefined;
  readonly exposureMs: number;
  readonly control: number;
  readonly treated: number;
  /** The pre-exposure covariate (the same in both worlds: the treatment starts at the exposure). */
  readonly pre: number;
  /** False when the metric's window runs past the end of the simulation (the values may be cut off). */
  readonly observed: boolean;
}

export interface PotentialOutcomeOptions {
  /** The treated variant whose world is simulated. Default the only one the treatment has an effect for. */
  readonly variant?: string;
  readonly metric?: ExposureMetric;
}

/**
 * Every learner's potential outcomes on the metric around their exposure (the treatment's start):
 * the simulation run once with nobody treated and once with everybody in `variant`. A learner's life
 * depends on its own PRNG stream alone, so it is the same in both worlds up to its exposure, and each
 * world is exactly what the learner lives when assigned to it in the mixed simulation: the true
 * effect on the simulated population is then an average of these, not an estimate. Fault injection,
 * callbacks and `live` are not used (the truth is about the underlying events).
 */
export function potentialOutcomes(
  options: SimulationOptions,
  outcome: PotentialOutcomeOptions = {},
): PotentialOutcome[] {
  if (options.treatment === undefined) throw new TypeError('treatment must be given to have potential outcomes');
  if (options.live === true) throw new RangeError('live must be false: a live simulation never ends');
  const metric = outcome.metric ?? LESSON_COMPLETION_METRIC;
  assertExposureMetric(metric, 'metric');
  const base: SimulationOptions = {
    ...options,
    duplicateFraction: 0,
    lateFraction: 0,
    invalidFraction: 0,
    onOracle: undefined,
    onInvalid: undefined,
  };
  const control = createSimulation({ ...base, treatment: undefined });
  const treatment = resolveTreatment(options.treatment, control.options.startTimeMs);
  const variant = outcome.variant ?? onlyVariant(treatment.variants);
  if (!treatment.variants.includes(variant))
    throw new RangeError(`variant must be one of ${treatment.variants.join(', ')}, got ${variant}`);
  const treated = createSimulation({ ...base, treatment: { ...options.treatment, assignment: () => variant } });

  const exposure = new Map(control.learners.map((l) => [l.entityId, treatment.startMsOf(l)]));
  const y0 = exposureMetricValues(control, exposure, metric);
  const y1 = exposureMetricValues(treated, exposure, metric);
  return control.learners.map((l) => {
    const at = exposure.get(l.entityId)!;
    return {
      entityId: l.entityId,
      variant: treatment.variantOf(l),
      exposureMs: at,
      control: y0.get(l.entityId)!.value,
      treated: y1.get(l.entityId)!.value,
      pre: y0.get(l.entityId)!.pre,
      observed: at + metric.windowMs <= control.endTimeMs,
    };
  });
}

export interface AverageTreatmentEffect {
  /** Learners averaged over (observed ones that pass the filter). */
  readonly n: number;
  readonly controlMean: number;
  readonly treatedMean: number;
  /** treatedMean − controlMean: the true average effect on the metric for these learners. */
  readonly effect: number;
  /** Learners left out because their window was not observed. */
  readonly unobserved: number;
}

/** The true average treatment effect over the learners `include` keeps (default all) whose window is observed. */
export function averageTreatmentEffect(
  outcomes: readonly PotentialOutcome[],
  include: (outcome: PotentialOutcome) => boolean = () => true,
): AverageTreatmentEffect {
  const kept = outcomes.filter(include);
  const observed = kept.filter((o) => o.observed);
  if (observed.length === 0) throw new RangeError('outcomes must hold at least one observed learner');
  const controlMean = observed.reduce((s, o) => s + o.control, 0) / observed.length;
  const treatedMean = observed.reduce((s, o) => s + o.treated, 0) / observed.length;
  return {
    n: observed.length,
    controlMean,
    treatedMean,
    effect: treatedMean - controlMean,
    unobserved: kept.length - observed.length,
  };
}

function onlyVariant(variants: readonly string[]): string {
  if (variants.length === 1) return variants[0];
  throw new RangeError(`variant must be given when the treatment has effects for ${variants.join(', ')}`);
}

function assertExposureMetric(metric: ExposureMetric, name: string): void {
  if (typeof metric !== 'object' || metric === null) throw new TypeError(`${name} must be an object`);
  assertNonEmptyString(metric.eventType, `${name}.eventType`);
  assertInteger(metric.windowMs, `${name}.windowMs`, 1);
  if (metric.kind !== 'conversion' && metric.kind !== 'count')
    throw new RangeError(`${name}.kind must be conversion or count, got ${String(metric.kind)}`);
}
