import { Prng } from '@pulse/core';
import type { Attributes } from '../conditions/condition.types';

const COUNTRIES = ['DE', 'FR', 'US', 'BR', 'IN', 'JP', 'NG'];
const TAGS = ['beta', 'mobile', 'web', 'night-owl', 'streak'];
const PLANS = ['free', 'pro', 'team', null];

/**
 * A unit id of one of the shapes real traffic has: uuid-like hex, numeric text, a number, an email,
 * non-ASCII text (hashed by UTF-16 code unit), or missing / empty / 0 (not hashable).
 */
function unitId(rng: Prng, i: number): unknown {
  const shape = rng.nextInt(100);
  if (shape < 40) return [0, 0, 0, 0].map(() => rng.nextUint32().toString(16).padStart(8, '0')).join('-');
  if (shape < 55) return String(rng.int(1, 10_000_000));
  if (shape < 65) return rng.int(1, 10_000_000);
  if (shape < 80) return `learner${i}@school${rng.nextInt(50)}.example`;
  if (shape < 85) return `Lernende-ü-${i}`;
  if (shape < 90) return `学習者${i}`;
  if (shape < 95) return `🙂${i}`;
  return [undefined, '', 0, null][rng.nextInt(4)];
}

/** `count` units' attributes, the same for a seed on every run. */
export function referenceUnits(count: number, seed = 'growthbook-reference'): Attributes[] {
  const rng = new Prng(seed);
  const units: Attributes[] = [];
  for (let i = 0; i < count; i++) {
    const unit: Record<string, unknown> = {
      country: COUNTRIES[rng.nextInt(COUNTRIES.length)],
      age: rng.int(13, 80),
      plan: PLANS[rng.nextInt(PLANS.length)],
      tags: TAGS.filter(() => rng.bernoulli(0.3)),
      app: { version: `${rng.int(1, 3)}.${rng.int(0, 12)}.${rng.int(0, 9)}${rng.bernoulli(0.1) ? '-beta.1' : ''}` },
      email: `learner${i}@school${rng.nextInt(50)}.example`,
    };
    const id = unitId(rng, i);
    if (id !== undefined) unit.id = id;
    if (rng.bernoulli(0.8)) unit.account = `acct-${rng.nextInt(5000)}`;
    units.push(unit);
  }
  return units;
}
