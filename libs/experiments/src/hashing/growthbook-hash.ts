import { fnv1a32 } from './fnv1a32';

/** GrowthBook's hash versions: 1 (original, biased, 1000 buckets) and 2 (unbiased, 10,000 buckets). */
export type HashVersion = 1 | 2;

/**
 * A unit's position in [0, 1) for a seed, as GrowthBook computes it; null for an unknown version
 * (GrowthBook then leaves the unit out).
 */
export function hash(seed: string, value: string, version: number): number | null {
  if (version === 2) return (fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000;
  if (version === 1) return (fnv1a32(value + seed) % 1000) / 1000;
  return null;
}
