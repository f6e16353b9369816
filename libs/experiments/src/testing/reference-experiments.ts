import { Prng } from '@pulse/core';
import type { Condition, SavedGroups } from '../conditions/condition.types';
import type { ExperimentDefinition } from '../definition/experiment.types';

/** Saved groups the reference experiments' conditions refer to. */
export const REFERENCE_SAVED_GROUPS: SavedGroups = {
  europe: ['DE', 'FR'],
  paying: { type: 'list', attributeKey: 'plan', values: ['pro', 'team'] },
  adults: { type: 'condition', condition: { age: { $gte: 18 } } },
};

/** Hand-picked definitions, one GrowthBook feature each (and several together). */
export const REFERENCE_EXPERIMENTS: ExperimentDefinition[] = [
  { key: 'default-split', variations: ['control', 'treatment'] },
  { key: 'uneven-v2', variations: [0, 1, 2], weights: [0.1, 0.2, 0.7], hashVersion: 2, seed: 'lesson-order-2025' },
  { key: 'uneven-v1', variations: ['a', 'b', 'c', 'd'], weights: [0.4, 0.3, 0.2, 0.1] },
  { key: 'partial-coverage', variations: [false, true], coverage: 0.37, weights: [0.25, 0.75], hashVersion: 2 },
  { key: 'layer-left', variations: ['x', 'y'], namespace: ['home', 0, 0.45], hashVersion: 2 },
  { key: 'layer-right', variations: ['x', 'y'], namespace: ['home', 0.45, 1], coverage: 0.6 },
  {
    key: 'targeted',
    variations: [{ reminder: 'none' }, { reminder: 'sms' }, { reminder: 'slack' }],
    hashVersion: 2,
    coverage: 0.8,
    condition: {
      $or: [{ country: { $in: ['DE', 'FR', 'BR'] } }, { age: { $gte: 40 } }],
      'app.version': { $vgte: '2.3.0' },
      plan: { $ne: null },
    },
    meta: [{ key: 'none', name: 'No reminder' }, { key: 'sms' }, { key: 'slack', name: 'Slack', passthrough: true }],
  },
  {
    key: 'array-and-text-operators',
    variations: [1, 2],
    condition: {
      tags: { $elemMatch: { $in: ['beta', 'streak'] }, $size: { $lte: 3 } },
      email: { $regex: 'school[0-2][0-9]\\.example$' },
      $nor: [{ country: 'JP' }],
      $not: { age: { $lt: 16 } },
      account: { $exists: true, $type: 'string' },
    },
  },
  {
    key: 'saved-groups',
    variations: ['a', 'b'],
    condition: {
      $and: [{ country: { $inGroup: 'europe' } }, { $savedGroup: { id: 'adults' } }],
      $or: [{ $savedGroup: { id: 'paying' } }, { tags: { $all: ['mobile'] } }],
    },
  },
  { key: 'by-account', variations: ['a', 'b', 'c'], hashAttribute: 'account', hashVersion: 2, seed: 's1' },
  {
    key: 'filters-and-ranges',
    variations: ['a', 'b'],
    filters: [
      { seed: 'holdout', ranges: [[0, 0.8]] },
      {
        seed: 'ab',
        attribute: 'account',
        ranges: [
          [0.1, 0.6],
          [0.7, 1],
        ],
        hashVersion: 1,
      },
    ],
    ranges: [
      [0, 0.3],
      [0.5, 0.9],
    ],
    hashVersion: 2,
  },
  { key: 'forced', variations: ['a', 'b', 'c'], force: 2, coverage: 0.5 },
  { key: 'stopped', variations: ['a', 'b'], status: 'stopped' },
  { key: 'draft', variations: ['a', 'b'], status: 'draft' },
  { key: 'inactive', variations: ['a', 'b'], active: false },
];

const CONDITIONS: Condition[] = [
  { country: { $nin: ['US'] } },
  { age: { $gt: 25, $lte: 60 } },
  { 'app.version': { $vlt: '2.0.0' } },
  { tags: 'beta' },
  { $or: [{ plan: 'pro' }, { tags: { $size: 0 } }] },
  { email: { $regexi: 'SCHOOL1' } },
];

/** `count` random definitions over weights, coverage, namespaces, both hash versions, seeds and conditions. */
export function generatedExperiments(count: number, seed = 'generated-experiments'): ExperimentDefinition[] {
  const rng = new Prng(seed);
  return Array.from({ length: count }, (_, i) => {
    const n = rng.int(2, 5);
    const raw = Array.from({ length: n }, () => 0.05 + rng.next());
    const total = raw.reduce((a, b) => a + b, 0);
    const weights = raw.map((w) => w / total);
    const def: Record<string, unknown> = {
      key: `generated-${i}-${rng.nextUint32().toString(36)}`,
      variations: Array.from({ length: n }, (_, v) => `v${v}`),
      hashVersion: rng.bernoulli(0.5) ? 1 : 2,
    };
    if (rng.bernoulli(0.7)) def.weights = weights;
    if (rng.bernoulli(0.6)) def.coverage = rng.bernoulli(0.2) ? 0 : Math.round(rng.next() * 1000) / 1000;
    if (rng.bernoulli(0.5)) def.seed = rng.nextUint32().toString(36);
    if (rng.bernoulli(0.3)) {
      const start = Math.round(rng.next() * 50) / 100;
      const end = Math.min(1, start + Math.round((0.01 + rng.next() * 0.49) * 100) / 100);
      def.namespace = [`ns${rng.nextInt(3)}`, start, end];
    }
    if (rng.bernoulli(0.2)) def.hashAttribute = 'account';
    if (rng.bernoulli(0.3)) def.condition = CONDITIONS[rng.nextInt(CONDITIONS.length)];
    return def as unknown as ExperimentDefinition;
  });
}
