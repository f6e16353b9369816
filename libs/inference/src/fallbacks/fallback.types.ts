import type { FeatureValues } from '@pulse/features';
import type { TriggerContext } from '@pulse/models';

/**
 * A model's rule-based answer when no version can serve (a small module in its own file, listed in
 * FALLBACK_RULES): class probabilities from a few view features as of the trigger.
 */
export interface FallbackRule {
  readonly model: string;
  readonly task: 'binary' | 'multiclass';
  /** The model's classes, in the order `probabilities` returns them. */
  readonly classes: readonly string[];
  /** What it answers, for the documentation and the prediction's audit. */
  readonly description: string;
  /** The view features it reads (`view.feature`); they become the prediction's inputs. */
  readonly reads: readonly string[];
  probabilities(values: FeatureValues, trigger: TriggerContext): readonly number[];
}

/** A view feature's number by qualified name (`view.feature`); NaN when missing or not a number. */
export function readNumber(values: FeatureValues, qualified: string): number {
  const dot = qualified.indexOf('.');
  const v = values[qualified.slice(0, dot)]?.values[qualified.slice(dot + 1)];
  return typeof v === 'number' ? v : NaN;
}
