import { chooseVariation } from '../bucketing/choose-variation';
import { inNamespace } from '../bucketing/namespace';
import { evalCondition } from '../conditions/eval-condition';
import type { Attributes, SavedGroups } from '../conditions/condition.types';
import { planOf } from '../definition/experiment-plan';
import type { Experiment } from '../definition/experiment.types';
import { hash } from '../hashing/growthbook-hash';
import type { Assignment, ExclusionReason, InExperiment, NotInExperiment } from './assignment.types';
import { isFilteredOut } from './filters';
import { hashAttributeOf } from './hash-attribute';

export interface AssignOptions {
  /** The time of the assignment (ms since the epoch or a Date); startAt/endAt apply only when given. */
  readonly at?: number | Date;
  /** Saved groups that `$inGroup`, `$notInGroup` and `$savedGroup` conditions refer to. */
  readonly savedGroups?: SavedGroups;
}

/**
 * The unit's variation, decided as GrowthBook's SDK `run(experiment)` decides it for a unit with
 * these attributes (no URL, forced variations or QA mode), with Pulse's start/end on top: the same
 * definition puts every unit in the same variation on both sides.
 */
export function assign<V>(
  experiment: Experiment<V>,
  attributes: Attributes,
  options: AssignOptions = {},
): Assignment<V> {
  const plan = planOf(experiment);
  const { hashAttribute, hashValue } = hashAttributeOf(attributes, experiment.hashAttribute);
  const out = (reason: ExclusionReason): Assignment<V> => {
    const result = variation(experiment, 0, false, false, hashAttribute, hashValue) as Mutable<NotInExperiment<V>>;
    result.reason = reason;
    return result;
  };

  if (experiment.active === false) return out('inactive');
  if (experiment.status === 'draft') return out('draft');
  if (options.at !== undefined) {
    const at = +options.at;
    if (!Number.isFinite(at)) throw new RangeError(`at must be a valid time, got ${String(options.at)}`);
    if (at < plan.startMs) return out('not-started');
    if (at >= plan.endMs) return out('ended');
  }
  if (!hashValue) return out('missing-hash-attribute');
  const unit = String(hashValue);

  if (experiment.filters) {
    if (isFilteredOut(experiment.filters, attributes)) return out('filtered-out');
  } else if (experiment.namespace && !inNamespace(unit, experiment.namespace)) {
    return out('not-in-namespace');
  }
  if (experiment.condition && !evalCondition(attributes, experiment.condition, options.savedGroups))
    return out('condition-failed');

  const n = hash(experiment.seed, unit, experiment.hashVersion) as number;
  const assigned = chooseVariation(n, plan.ranges);
  if (assigned < 0) return out('not-in-coverage');
  // As in GrowthBook: a forced variation applies within coverage and wins over a stopped status.
  if (experiment.force !== undefined)
    return variation(experiment, experiment.force, true, false, hashAttribute, hashValue);
  if (experiment.status === 'stopped') return out('stopped');
  const result = variation(experiment, assigned, true, true, hashAttribute, hashValue) as Mutable<InExperiment<V>>;
  result.bucket = n;
  return result;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// Built field by field (no object spread): assignment runs per unit and experiment on hot paths.
function variation<V>(
  experiment: Experiment<V>,
  index: number,
  inExperiment: boolean,
  hashUsed: boolean,
  hashAttribute: string,
  hashValue: unknown,
): Assignment<V> {
  const meta = experiment.meta?.[index];
  const result = {
    inExperiment,
    variationId: index,
    value: experiment.variations[index],
    key: meta?.key || String(index),
    hashUsed,
    hashAttribute,
    hashValue,
  } as Mutable<Assignment<V>>;
  if (meta?.name) result.name = meta.name;
  if (meta?.passthrough) result.passthrough = meta.passthrough;
  return result;
}
