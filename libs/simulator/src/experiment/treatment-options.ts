import { assertInteger } from '@pulse/core';
import type { LearnerTraits } from '../model/learner';
import type { LearnerWorld } from '../simulation/learner-world';
import type { TreatmentEffect } from './treatment-effect';
import { applyTreatmentEffect, assertTreatmentEffect, isTreatmentEffect } from './treatment-effect';

/** The variant of the learners given as a set. */
export const TREATMENT_VARIANT = 'treatment';

/**
 * Who gets which variant: the entity ids of the treated learners (variant `treatment`), a map from
 * entity id to variant, or a function of the learner. No variant, or one without an effect, is control.
 */
export type TreatmentAssignment =
  ReadonlySet<string> | ReadonlyMap<string, string> | ((learner: LearnerTraits) => string | undefined);

export interface TreatmentOptions {
  readonly assignment: TreatmentAssignment;
  /** The effect of variant `treatment`, or an effect per variant (variants not named are control). */
  readonly effect: TreatmentEffect | Readonly<Record<string, TreatmentEffect>>;
  /**
   * When the treatment starts (the learner's exposure), in simulated epoch ms: one time for everyone
   * or per learner. Lessons sent before it are untouched. Default: the start of the simulation.
   */
  readonly startMs?: number | ((learner: LearnerTraits) => number);
}

export interface ResolvedTreatment {
  /** The variants that have an effect. */
  readonly variants: readonly string[];
  variantOf(learner: LearnerTraits): string | undefined;
  effectOf(variant: string | undefined): TreatmentEffect | undefined;
  /** The learner's exposure: when their treatment starts (checked to be an integer ms). */
  startMsOf(learner: LearnerTraits): number;
}

export function resolveTreatment(options: TreatmentOptions, defaultStartMs: number): ResolvedTreatment {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`treatment must be an object, got ${options === null ? 'null' : typeof options}`);
  const { assignment, effect, startMs } = options;
  let variantOf: (learner: LearnerTraits) => string | undefined;
  if (assignment instanceof Set) variantOf = (l) => (assignment.has(l.entityId) ? TREATMENT_VARIANT : undefined);
  else if (assignment instanceof Map) variantOf = (l) => assignment.get(l.entityId);
  else if (typeof assignment === 'function') variantOf = assignment;
  else throw new TypeError(`treatment.assignment must be a Set, a Map or a function, got ${typeof assignment}`);

  let effects: ReadonlyMap<string, TreatmentEffect>;
  if (isTreatmentEffect(effect)) {
    assertTreatmentEffect(effect, 'treatment.effect');
    effects = new Map([[TREATMENT_VARIANT, effect]]);
  } else if (typeof effect === 'object' && effect !== null) {
    const entries = Object.entries(effect);
    if (entries.length === 0) throw new RangeError('treatment.effect must name at least one variant');
    for (const [variant, e] of entries) assertTreatmentEffect(e, `treatment.effect.${variant}`);
    effects = new Map(entries);
  } else {
    throw new TypeError(`treatment.effect must be an effect or an object of effects, got ${typeof effect}`);
  }
  if (startMs !== undefined && typeof startMs !== 'function') assertInteger(startMs, 'treatment.startMs', 0);

  return {
    variants: [...effects.keys()],
    variantOf,
    effectOf: (variant) => (variant === undefined ? undefined : effects.get(variant)),
    startMsOf(learner) {
      if (typeof startMs !== 'function') return startMs ?? defaultStartMs;
      const ms = startMs(learner);
      assertInteger(ms, `treatment.startMs(${learner.entityId})`, 0);
      return ms;
    },
  };
}

/** The learner's world under their variant: lessons sent from their exposure on are changed by its effect. */
export function treatmentWorld(treatment: ResolvedTreatment, learner: LearnerTraits): LearnerWorld {
  const effect = treatment.effectOf(treatment.variantOf(learner));
  if (effect === undefined) return {};
  const startMs = treatment.startMsOf(learner);
  return { completionProbability: (p, sentMs) => (sentMs >= startMs ? applyTreatmentEffect(effect, p) : p) };
}
