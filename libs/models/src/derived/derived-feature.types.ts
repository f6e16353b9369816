import type { FeatureValue } from '@pulse/features';
import type { TriggerContext } from '../request/request-feature.types';

/** Reads a view feature's value as of the example's time by its qualified name (`view.feature`). */
export type ViewValueLookup = (qualified: string) => FeatureValue | undefined;

/**
 * One derived feature: combines the entity's view values with the trigger (e.g. "the send's channel
 * is the learner's primary channel"). A small module in its own file, listed in DERIVED_FEATURES.
 */
export interface DerivedFeature {
  readonly name: string;
  readonly description: string;
  /** The view features it reads (`view.feature`); the spec's views must hold them. */
  readonly requires: readonly string[];
  /** The trigger fields it reads. */
  readonly reads: readonly string[];
  /** Its value; NaN when an input is missing. */
  compute(view: ViewValueLookup, ctx: TriggerContext): number;
}

export function numberOrNaN(v: FeatureValue | undefined): number {
  return typeof v === 'number' ? v : NaN;
}
