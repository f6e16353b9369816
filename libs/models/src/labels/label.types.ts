import type { EngagementEvent } from '@pulse/contracts';
import type { ExamplePoint, LabelSpec } from '../spec/model-spec.types';

/** A label's outcome: a class index, or censored (the horizon had not elapsed by the watermark). */
export type LabelOutcome = number | 'censored';

/** One kind of label: a small module in its own file, listed in LABELS. */
export interface LabelKind<S extends LabelSpec = LabelSpec> {
  readonly kind: S['kind'];
  /** Checks the spec's label options; returns a message naming what is wrong, or null. */
  validate(spec: S): string | null;
  /** Class names in index order (binary: ['0', '1']). */
  classes(spec: S): readonly string[];
  /**
   * The outcome of the example at `point` from the entity's events (sorted by time, then id), given
   * the log's watermark (the newest event time it holds): only events after the point's time count.
   */
  outcome(spec: S, point: ExamplePoint, events: readonly EngagementEvent[], watermarkMs: number): LabelOutcome;
}

/** Index of the first event with time > t (events sorted by time). */
export function firstAfter(events: readonly EngagementEvent[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid].eventTimeMs <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
