import { DefinitionError } from '@pulse/core';
import { assign } from '../assignment/assign';
import { getBucketRanges, getEqualWeights } from '../bucketing/bucket-ranges';
import { chooseVariation } from '../bucketing/choose-variation';
import type { Namespace } from '../bucketing/namespace';
import { inNamespace } from '../bucketing/namespace';
import type { VariationRange } from '../bucketing/variation-range';
import { conditionProblem } from '../conditions/condition-problem';
import type { Attributes, Condition, SavedGroups } from '../conditions/condition.types';
import { evalCondition } from '../conditions/eval-condition';
import { defineExperiment } from '../definition/define-experiment';
import type { ExperimentDefinition } from '../definition/experiment.types';
import { hash } from '../hashing/growthbook-hash';
import cases from './growthbook-cases.json';

type RunContext = { attributes?: Attributes; savedGroups?: SavedGroups } & Record<string, unknown>;
type RunCase = [string, RunContext, ExperimentDefinition, unknown, boolean, boolean];

// As GrowthBook's json.test.ts compares ranges and weights.
const round = (n: number) => Math.floor(n * 1e8) / 1e8;
const roundAll = (ranges: readonly (readonly number[])[]) => ranges.map((r) => r.map(round));

describe("GrowthBook's published cases", () => {
  it.each(cases.hash as [string, string, number, number | null][])(
    'hash(%j, %j, %d) = %j',
    (seed, value, version, expected) => expect(hash(seed, value, version)).toBe(expected),
  );

  it.each(cases.getBucketRange as unknown as [string, [number, number, number[] | null], number[][]][])(
    'getBucketRanges: %s',
    (_name, [n, coverage, weights], expected) =>
      expect(roundAll(getBucketRanges(n, coverage, weights ?? undefined))).toEqual(roundAll(expected)),
  );

  it.each(cases.chooseVariation as unknown as [string, number, VariationRange[], number][])(
    'chooseVariation: %s',
    (_name, n, ranges, expected) => expect(chooseVariation(n, ranges)).toBe(expected),
  );

  it.each(cases.inNamespace as unknown as [string, string, Namespace, boolean][])(
    'inNamespace: %s',
    (_name, id, namespace, expected) => expect(inNamespace(id, namespace)).toBe(expected),
  );

  it.each(cases.getEqualWeights as [number, number[]][])('getEqualWeights(%d)', (n, expected) =>
    expect(getEqualWeights(n).map(round)).toEqual(expected.map(round)),
  );

  // Rows without saved groups are padded: a test function with more parameters than a row has
  // values would be taken for one awaiting `done`.
  const conditionRows = (
    cases.evalCondition as unknown as [string, Condition, Attributes, boolean, SavedGroups?][]
  ).map(([name, condition, attributes, expected, savedGroups]) => [
    name,
    condition,
    attributes,
    expected,
    savedGroups ?? {},
  ]) as [string, Condition, Attributes, boolean, SavedGroups][];

  it.each(conditionRows)('evalCondition: %s', (_name, condition, attributes, expected, savedGroups) =>
    expect(evalCondition(attributes, condition, savedGroups)).toBe(expected),
  );
});

// Run cases that need what a server-side assignment has no use for (URL overrides, forced variations,
// QA mode, a disabled SDK): the context field each one needs.
const CONTEXT_ONLY: Record<string, string> = {
  'globally disabled': 'enabled',
  'querystring force': 'url',
  'querystring force with inactive': 'url',
  'Force variation from context': 'forcedVariations',
  'Skips experiments in QA mode': 'qaMode',
  'Works in QA mode if forced in context': 'qaMode',
  'Works in QA mode if forced in experiment': 'qaMode',
};

// Run cases whose experiment a definition refuses, with the error; GrowthBook assigns nobody in the
// first three, and in the others ignores a field the definition sets (so refusing beats guessing).
const REFUSED: Record<string, RegExp> = {
  'single variation': /variations: must list at least two variations, got 1/,
  'negative forced variation': /force: must be a variation index in \[0, 1\], got -8/,
  'high forced variation': /force: must be a variation index in \[0, 1\], got 25/,
  'Filtered, ignore namespace': /filters: replace namespace/,
  'Ranges, ignore coverage and weights': /weights: must agree with ranges/,
  'Prerequisite condition passes': /parentConditions: is not supported/,
  'Prerequisite condition fails': /parentConditions: is not supported/,
};

describe("GrowthBook's run cases", () => {
  const runs = cases.run as unknown as RunCase[];
  const applicable = runs.filter(([name]) => !(name in CONTEXT_ONLY) && !(name in REFUSED));

  it('covers every case: applicable, context-only or refused', () => {
    expect(applicable.length + Object.keys(CONTEXT_ONLY).length + Object.keys(REFUSED).length).toBe(runs.length);
    expect(applicable.length).toBe(59);
  });

  it.each(runs.filter(([name]) => name in CONTEXT_ONLY))('%s needs a context field', (name, context) =>
    expect(Object.keys(context)).toContain(CONTEXT_ONLY[name]),
  );

  it.each(runs.filter(([name]) => name in REFUSED))('%s is refused', (name, _context, experiment) => {
    expect(() => defineExperiment(experiment)).toThrow(DefinitionError);
    expect(() => defineExperiment(experiment)).toThrow(REFUSED[name]);
  });

  it.each(applicable)('%s', (_name, context, experiment, value, inExperiment, hashUsed) => {
    const result = assign(defineExperiment(experiment), context.attributes ?? {}, {
      savedGroups: context.savedGroups,
    });
    expect(result).toMatchObject({ value, inExperiment, hashUsed });
  });
});

// Conditions GrowthBook evaluates to false for everyone, which a definition refuses, naming the field.
const REFUSED_CONDITIONS: Record<string, string> = {
  '$in - not array': 'condition.num.$in: must be an array',
  '$nin - not array': 'condition.num.$nin: must be an array',
  '$ini - not array': 'condition.num.$ini: must be an array',
  '$nini - not array': 'condition.num.$nini: must be an array',
  'unknown operator - pass': 'condition.name.$regx: unknown operator',
  '$regex invalid - pass': 'condition.name.$regex: is not a valid regular expression',
  '$regex invalid - fail': 'condition.name.$regex: is not a valid regular expression',
};

describe("GrowthBook's conditions in definitions", () => {
  const rows = cases.evalCondition as unknown as [string, Condition, unknown, boolean][];

  it.each(rows.filter(([name]) => name in REFUSED_CONDITIONS))('%s is refused', (name, condition, _attrs, expected) => {
    const problem = conditionProblem(condition);
    expect(`${problem?.field}: ${problem?.message}`).toContain(REFUSED_CONDITIONS[name]);
    expect(expected).toBe(false);
  });

  it('accepts every other condition', () => {
    const refused = rows.filter(([, condition]) => conditionProblem(condition) !== undefined).map(([name]) => name);
    expect(refused.sort()).toEqual(Object.keys(REFUSED_CONDITIONS).sort());
  });
});
