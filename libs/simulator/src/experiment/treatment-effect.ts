import { assertFiniteNumber, assertInRange } from '@pulse/core';
import { logit, sigmoid } from '../model/behaviour';

/** Completion probability multiplied by `factor` (capped at 1). */
export interface MultiplyEffect {
  readonly kind: 'multiply';
  readonly factor: number;
}

/** An absolute lift of the completion probability (clamped to [0, 1]). */
export interface AddEffect {
  readonly kind: 'add';
  readonly lift: number;
}

/** The odds of completion multiplied by `ratio`: the same shift on the model's logit scale for every lesson. */
export interface OddsEffect {
  readonly kind: 'odds';
  readonly ratio: number;
}

/** What a treatment does to each lesson sent to a treated learner: a change of its 48-hour completion probability. */
export type TreatmentEffect = MultiplyEffect | AddEffect | OddsEffect;

interface EffectKind {
  /** Throws TypeError/RangeError naming `name`'s field when the parameters are bad. */
  validate(effect: TreatmentEffect, name: string): void;
  apply(effect: TreatmentEffect, probability: number): number;
}

// One entry per kind: a new kind of effect is one entry here.
const EFFECT_KINDS: Readonly<Record<TreatmentEffect['kind'], EffectKind>> = {
  multiply: {
    validate: (e, name) => assertInRange((e as MultiplyEffect).factor, `${name}.factor`, 0, 1000),
    apply: (e, p) => Math.min(1, p * (e as MultiplyEffect).factor),
  },
  add: {
    validate: (e, name) => assertInRange((e as AddEffect).lift, `${name}.lift`, -1, 1),
    apply: (e, p) => Math.min(1, Math.max(0, p + (e as AddEffect).lift)),
  },
  odds: {
    validate: (e, name) => {
      assertFiniteNumber((e as OddsEffect).ratio, `${name}.ratio`);
      if (!((e as OddsEffect).ratio > 0))
        throw new RangeError(`${name}.ratio must be > 0, got ${(e as OddsEffect).ratio}`);
    },
    // p = 0 (a dropped learner) and p = 1 stay where they are.
    apply: (e, p) => (p <= 0 || p >= 1 ? p : sigmoid(logit(p) + Math.log((e as OddsEffect).ratio))),
  },
};

export const TREATMENT_EFFECT_KINDS = Object.keys(EFFECT_KINDS) as readonly TreatmentEffect['kind'][];

export function isTreatmentEffect(value: unknown): value is TreatmentEffect {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

export function assertTreatmentEffect(value: unknown, name: string): asserts value is TreatmentEffect {
  if (!isTreatmentEffect(value)) throw new TypeError(`${name} must be an object with a kind, got ${typeof value}`);
  const kind = EFFECT_KINDS[value.kind];
  if (kind === undefined)
    throw new RangeError(`${name}.kind must be one of ${TREATMENT_EFFECT_KINDS.join(', ')}, got ${value.kind}`);
  kind.validate(value, name);
}

/** The completion probability of a lesson under the effect. A dropped learner (p = 0) stays at 0 under every kind. */
export function applyTreatmentEffect(effect: TreatmentEffect, probability: number): number {
  if (probability <= 0) return 0;
  return EFFECT_KINDS[effect.kind].apply(effect, probability);
}
