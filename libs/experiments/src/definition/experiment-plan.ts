import type { VariationRange } from '../bucketing/variation-range';
import type { Experiment } from './experiment.types';

/** What assignment needs, worked out once when an experiment is defined. */
export interface ExperimentPlan {
  readonly ranges: readonly VariationRange[];
  readonly startMs: number;
  readonly endMs: number;
}

const plans = new WeakMap<Experiment, ExperimentPlan>();

export function recordPlan(experiment: Experiment, plan: ExperimentPlan): void {
  plans.set(experiment, plan);
}

/** The plan of an experiment from defineExperiment; a TypeError for any other object. */
export function planOf(experiment: Experiment): ExperimentPlan {
  const plan = plans.get(experiment);
  if (!plan) throw new TypeError('experiment must be a value returned by defineExperiment');
  return plan;
}
