import { DefinitionError } from '@pulse/core';
import { getBucketRanges } from '../bucketing/bucket-ranges';
import { checkAllocation } from './check-allocation';
import { checkLifecycle } from './check-lifecycle';
import { checkModelRouting } from './check-model-routing';
import { checkTargeting } from './check-targeting';
import { deepFreeze } from './deep-freeze';
import { recordPlan } from './experiment-plan';
import type { DefineExperimentOptions, Experiment, ExperimentDefinition } from './experiment.types';
import { isPlainObject } from './field-failure';

const MAX_KEY_LENGTH = 255;

/**
 * Validates an experiment (GrowthBook-shaped, with Pulse's lifecycle fields) and returns it as a
 * frozen value with its defaults resolved: equal weights, coverage 1, hashAttribute "id",
 * hashVersion 1 and seed = key (GrowthBook's defaults), status "running", version 1. Every problem
 * is a DefinitionError naming the experiment and the field (`experiment "k" weights: …`).
 * Defining a defined experiment again gives an equal value.
 */
export function defineExperiment<V = unknown>(
  def: ExperimentDefinition<V>,
  options: DefineExperimentOptions = {},
): Experiment<V> {
  const key: unknown = isPlainObject(def) ? def.key : undefined;
  const name = typeof key === 'string' ? key : '(no key)';
  const fail = (field: string, message: string): never => {
    throw new DefinitionError(`experiment "${name}" ${field}`, message);
  };
  if (!isPlainObject(def)) fail('definition', 'must be an object');
  if (typeof def.key !== 'string' || def.key === '' || def.key.length > MAX_KEY_LENGTH || def.key.trim() !== def.key)
    fail('key', `must be a non-empty string of at most ${MAX_KEY_LENGTH} characters, without surrounding spaces`);

  const allocation = checkAllocation(def, fail);
  checkTargeting(def, fail);
  const known = options.metrics === undefined ? undefined : new Set(options.metrics);
  const lifecycle = checkLifecycle(def, known, fail);
  checkModelRouting(def, fail);

  let copy: ExperimentDefinition<V>;
  try {
    copy = structuredClone(def);
  } catch {
    return fail('definition', 'must hold JSON values only');
  }
  const experiment: Experiment<V> = deepFreeze({
    ...copy,
    weights: [...allocation.weights],
    coverage: allocation.coverage,
    hashAttribute: def.hashAttribute ?? 'id',
    hashVersion: def.hashVersion ?? 1,
    seed: def.seed || def.key,
    status: lifecycle.status,
    metrics: [...lifecycle.metrics],
    version: lifecycle.version,
  });
  recordPlan(experiment, {
    ranges: allocation.ranges ?? getBucketRanges(def.variations.length, allocation.coverage, allocation.weights),
    startMs: lifecycle.startMs,
    endMs: lifecycle.endMs,
  });
  return experiment;
}
