import type { Namespace } from '../bucketing/namespace';
import { conditionProblem } from '../conditions/condition-problem';
import { checkRange } from './check-range';
import type { ExperimentDefinition } from './experiment.types';
import { isPlainObject, type Fail } from './field-failure';

const HASH_VERSIONS: readonly unknown[] = [1, 2];

/** GrowthBook fields that select units on something other than attributes; Pulse cannot honour them. */
const UNSUPPORTED = ['parentConditions', 'groups', 'include', 'url', 'urlPatterns'];

/** Checks who is hashed, on what, and who may enter: hash attribute and version, seed, namespace, filters, condition. */
export function checkTargeting(def: ExperimentDefinition, fail: Fail): void {
  for (const field of UNSUPPORTED)
    if ((def as unknown as Record<string, unknown>)[field] !== undefined)
      fail(field, 'is not supported: Pulse targets on the unit’s attributes (use condition)');

  if (def.hashAttribute !== undefined && !nonEmpty(def.hashAttribute)) fail('hashAttribute', 'must name an attribute');
  if (def.fallbackAttribute !== undefined && !nonEmpty(def.fallbackAttribute))
    fail('fallbackAttribute', 'must name an attribute');
  if (def.hashVersion !== undefined && !HASH_VERSIONS.includes(def.hashVersion))
    fail('hashVersion', `must be 1 or 2, got ${String(def.hashVersion)}`);
  if (def.seed !== undefined && typeof def.seed !== 'string') fail('seed', 'must be a string');

  if (def.namespace !== undefined) checkNamespace(def.namespace, fail);
  if (def.filters !== undefined) {
    if (def.namespace !== undefined) fail('filters', 'replace namespace: give one or the other');
    checkFilters(def.filters, fail);
  }
  if (def.condition !== undefined) {
    const problem = conditionProblem(def.condition);
    if (problem) fail(problem.field, problem.message);
  }
}

function nonEmpty(x: unknown): boolean {
  return typeof x === 'string' && x !== '';
}

function checkNamespace(ns: unknown, fail: Fail): Namespace {
  if (!Array.isArray(ns) || ns.length !== 3) return fail('namespace', 'must be [name, start, end]');
  const [name, start, end] = ns as unknown[];
  if (!nonEmpty(name)) fail('namespace[0]', 'must name the namespace');
  if (typeof start !== 'number' || typeof end !== 'number' || !(start >= 0 && start < end && end <= 1))
    fail('namespace', `range must satisfy 0 ≤ start < end ≤ 1, got [${String(start)}, ${String(end)}]`);
  return ns as unknown as Namespace;
}

function checkFilters(filters: unknown, fail: Fail): void {
  if (!Array.isArray(filters)) return fail('filters', 'must be an array');
  filters.forEach((f: unknown, i) => {
    const at = `filters[${i}]`;
    if (!isPlainObject(f)) fail(at, 'must be an object');
    if (typeof f.seed !== 'string') fail(`${at}.seed`, 'must be a string');
    if (!Array.isArray(f.ranges) || f.ranges.length === 0) fail(`${at}.ranges`, 'must list at least one range');
    (f.ranges as unknown[]).forEach((r, j) => checkRange(r, `${at}.ranges[${j}]`, fail));
    if (f.attribute !== undefined && !nonEmpty(f.attribute)) fail(`${at}.attribute`, 'must name an attribute');
    if (f.hashVersion !== undefined && !HASH_VERSIONS.includes(f.hashVersion))
      fail(`${at}.hashVersion`, `must be 1 or 2, got ${String(f.hashVersion)}`);
  });
}
