import { GrowthBook, type Context, type Experiment as GrowthBookExperiment, type Result } from '@growthbook/growthbook';
import { assign } from '../assignment/assign';
import type { Assignment } from '../assignment/assignment.types';
import type { Attributes } from '../conditions/condition.types';
import { defineExperiment } from '../definition/define-experiment';
import type { ExperimentDefinition } from '../definition/experiment.types';
import { generatedExperiments, REFERENCE_EXPERIMENTS, REFERENCE_SAVED_GROUPS } from './reference-experiments';
import { referenceUnits } from './reference-units';

// The fields of GrowthBook's Result that an assignment reproduces, in a fixed order.
const FIELDS = [
  'inExperiment',
  'variationId',
  'value',
  'key',
  'name',
  'hashUsed',
  'hashAttribute',
  'hashValue',
  'bucket',
  'passthrough',
] as const;

const fingerprint = (r: Assignment | Result<unknown>) =>
  JSON.stringify(FIELDS.map((f) => (r as unknown as Record<string, unknown>)[f]));

interface Comparison {
  mismatches: string[];
  /** Units per variation index, -1 for not in the experiment. */
  counts: Map<string, Map<number, number>>;
}

/** Runs every unit through GrowthBook's SDK and through assign; lists the units where they differ. */
function compare(defs: readonly ExperimentDefinition[], units: readonly Attributes[]): Comparison {
  const experiments = defs.map((d) => defineExperiment(d));
  const counts = new Map(defs.map((d) => [d.key, new Map<number, number>()]));
  const mismatches: string[] = [];
  for (const attributes of units) {
    const gb = new GrowthBook({ attributes, savedGroups: REFERENCE_SAVED_GROUPS } as Context);
    experiments.forEach((experiment, i) => {
      const theirs = gb.run(defs[i] as unknown as GrowthBookExperiment<unknown>);
      const ours = assign(experiment, attributes, { savedGroups: REFERENCE_SAVED_GROUPS });
      if (fingerprint(ours) !== fingerprint(theirs) && mismatches.length < 10)
        mismatches.push(
          `${experiment.key} ${JSON.stringify(attributes)}: ${fingerprint(ours)} ≠ ${fingerprint(theirs)}`,
        );
      const v = ours.inExperiment ? ours.variationId : -1;
      const perVariation = counts.get(experiment.key) as Map<number, number>;
      perVariation.set(v, (perVariation.get(v) ?? 0) + 1);
    });
    gb.destroy();
  }
  return { mismatches, counts };
}

// About 15 s each alone (the SDK runs 1.5 million times under Jest); room for a loaded machine.
const SLOW = 180_000;

describe('assignment equals @growthbook/growthbook 1.8.0', () => {
  const units = referenceUnits(100_000);

  it(
    'for 100,000 units in every hand-picked experiment',
    () => {
      const { mismatches, counts } = compare(REFERENCE_EXPERIMENTS, units);
      expect(mismatches).toEqual([]);

      // The sample exercises each rule: every variation is reached where any is, and exclusions happen.
      const reached = (key: string) => [...(counts.get(key) as Map<number, number>).keys()].sort();
      expect(reached('uneven-v1')).toEqual([-1, 0, 1, 2, 3]); // -1: units without an id
      expect(reached('targeted')).toEqual([-1, 0, 1, 2]);
      expect(reached('saved-groups')).toEqual([-1, 0, 1]);
      expect(reached('filters-and-ranges')).toEqual([-1, 0, 1]);
      expect(reached('forced')).toEqual([-1, 2]);
      expect(reached('stopped')).toEqual([-1]);
      const inLayer = (key: string) => units.length - ((counts.get(key) as Map<number, number>).get(-1) ?? 0);
      expect(inLayer('layer-left') / units.length).toBeCloseTo(0.45 * 0.95, 1);
      expect(inLayer('partial-coverage') / units.length).toBeCloseTo(0.37 * 0.95, 1);
    },
    SLOW,
  );

  it(
    'for 10,000 units in each of 100 generated definitions',
    () => {
      const defs = generatedExperiments(100);
      expect(new Set(defs.map((d) => d.hashVersion))).toEqual(new Set([1, 2]));
      expect(defs.filter((d) => d.namespace).length).toBeGreaterThan(10);
      expect(defs.filter((d) => d.coverage !== undefined && d.coverage < 1).length).toBeGreaterThan(20);
      const { mismatches } = compare(defs, units.slice(0, 10_000));
      expect(mismatches).toEqual([]);
    },
    SLOW,
  );

  it('would notice a different assignment', () => {
    // The same definition with another seed must disagree for some units, or the comparison proves nothing.
    const def = REFERENCE_EXPERIMENTS[1];
    const ours = defineExperiment({ ...def, seed: 'another-seed' });
    const differing = units.slice(0, 1000).filter((attributes) => {
      const gb = new GrowthBook({ attributes });
      const theirs = gb.run(def as unknown as GrowthBookExperiment<unknown>);
      gb.destroy();
      return fingerprint(assign(ours, attributes)) !== fingerprint(theirs);
    });
    expect(differing.length).toBeGreaterThan(500);
  });
});
