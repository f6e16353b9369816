import { hash } from '../hashing/growthbook-hash';

/** A mutually exclusive layer: experiments of one namespace name with disjoint [start, end) ranges. */
export type Namespace = readonly [name: string, start: number, end: number];

/**
 * Whether a unit falls in the namespace's range. GrowthBook hashes the unit against `__<name>` with
 * hash version 1 whatever the experiment's own version, so one layer splits units the same way for all.
 */
export function inNamespace(hashValue: string, namespace: Namespace): boolean {
  const n = hash('__' + namespace[0], hashValue, 1) as number;
  return n >= namespace[1] && n < namespace[2];
}
